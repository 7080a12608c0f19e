using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary><c>FILE_DISPOSITION_INFORMATION_EX</c>: a ULONG of flags, 4 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileDispositionInformationEx
        {
            internal uint Flags;
        }

        /// <summary><c>FILE_DISPOSITION_INFORMATION</c> (the pre-RS1 class): a BOOLEAN, 1 byte.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileDispositionInformation
        {
            internal byte DeleteFile;
        }

        internal const int FileDispositionInformationClass = 13;
        internal const int FileDispositionInformationExClass = 64;
        internal const uint FileDispositionDelete = 0x1;

        /// <summary>The name goes away when the handle closes, not when the last handle does, so a directory can be recreated at once.</summary>
        internal const uint FileDispositionPosixSemantics = 0x2;
    }
}
