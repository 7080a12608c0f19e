using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary>
        /// <c>OBJECT_ATTRIBUTES</c>: 48 bytes on x64 (RootDirectory at 8, ObjectName at 16, Attributes at 24,
        /// SecurityDescriptor at 32, SecurityQualityOfService at 40); 24 bytes on x86 (4, 8, 12, 16, 20).
        /// </summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct ObjectAttributes
        {
            internal uint Length;
            internal nint RootDirectory;
            internal UnicodeString* ObjectName;
            internal uint Attributes;
            internal void* SecurityDescriptor;
            internal void* SecurityQualityOfService;
        }

        /// <summary><c>OBJ_CASE_INSENSITIVE</c>: Win32 name semantics.</summary>
        internal const uint ObjCaseInsensitive = 0x40;

        /// <summary><c>OBJ_DONT_REPARSE</c>: fail with STATUS_REPARSE_POINT_ENCOUNTERED instead of following any reparse point on the path.</summary>
        internal const uint ObjDontReparse = 0x1000;
    }
}
