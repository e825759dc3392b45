// StackBackends
