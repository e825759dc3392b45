/// The harness's `SeededGenerator` lives in SharedPrimitives, the one copy the stack shares. Every harness
/// module that imports GauntletCore keeps seeing it, as when it lived here.
@_exported import SharedPrimitives
