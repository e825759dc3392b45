// StackDNS
