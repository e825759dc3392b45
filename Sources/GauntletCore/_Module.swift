// GauntletCore
