// GauntletReports
