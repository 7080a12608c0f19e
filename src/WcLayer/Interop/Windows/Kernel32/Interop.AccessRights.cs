internal static partial class Interop
{
    internal static partial class Kernel32
    {
        internal const uint GenericRead = 0x80000000;
        internal const uint GenericWrite = 0x40000000;
        internal const uint Delete = 0x00010000;
        internal const uint ReadControl = 0x00020000;
        internal const uint WriteDac = 0x00040000;
        internal const uint WriteOwner = 0x00080000;
        internal const uint Synchronize = 0x00100000;
        internal const uint AccessSystemSecurity = 0x01000000;
        internal const uint FileListDirectory = 0x0001;
        internal const uint FileReadAttributes = 0x0080;
        internal const uint FileWriteAttributes = 0x0100;

        internal const uint FileShareRead = 1;
        internal const uint FileShareWrite = 2;
        internal const uint FileShareDelete = 4;
        internal const uint FileShareAll = FileShareRead | FileShareWrite | FileShareDelete;
    }
}
