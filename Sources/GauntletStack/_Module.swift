// GauntletStack
