using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary><c>UNICODE_STRING</c>: lengths in bytes, no terminator needed. 16 bytes on x64 (Buffer at 8), 8 on x86 (at 4).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct UnicodeString
        {
            internal ushort Length;
            internal ushort MaximumLength;
            internal char* Buffer;
        }
    }
}
