// StackIdentity
