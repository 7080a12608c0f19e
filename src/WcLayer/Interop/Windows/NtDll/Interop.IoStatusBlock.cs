using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary><c>IO_STATUS_BLOCK</c>: a pointer-sized union of NTSTATUS and PVOID, then ULONG_PTR. 16 bytes on x64, 8 on x86.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct IoStatusBlock
        {
            internal nint StatusOrPointer;
            internal nuint Information;
        }
    }
}
