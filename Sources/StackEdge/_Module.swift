// StackEdge
