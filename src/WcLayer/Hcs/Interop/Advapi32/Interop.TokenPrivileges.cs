using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Advapi32
    {
        /// <summary><c>TOKEN_PRIVILEGES</c> with room for exactly one <c>LUID_AND_ATTRIBUTES</c> (16 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TokenPrivileges
        {
            internal uint PrivilegeCount;
            internal Luid Luid;
            internal uint Attributes;
        }

        /// <summary><c>LUID</c>: two 32-bit halves, so 4-byte aligned.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Luid
        {
            internal uint LowPart;
            internal int HighPart;
        }
    }
}
