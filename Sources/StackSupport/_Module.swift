// StackSupport
