// StackUpload
