using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary><c>FILE_STANDARD_INFO</c>: 24 bytes on every architecture (the two BOOLEANs then 2 bytes of padding).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileStandardInfo
        {
            internal long AllocationSize;
            internal long EndOfFile;
            internal uint NumberOfLinks;
            internal byte DeletePending;
            internal byte Directory;
        }
    }
}
