// GauntletDriver
