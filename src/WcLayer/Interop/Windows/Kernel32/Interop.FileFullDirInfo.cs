internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>
        /// Offsets in a <c>FILE_FULL_DIR_INFO</c> entry (the same on x86 and x64: no pointers). Entries are variable
        /// length, chained by <c>NextEntryOffset</c> (0 ends the buffer), so they are read from bytes, not as a struct.
        /// </summary>
        internal static class FileFullDirInfo
        {
            internal const int NextEntryOffset = 0;
            internal const int FileAttributes = 56;
            internal const int FileNameLength = 60;
            internal const int FileName = 68;
        }
    }
}
