using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class NtDll
    {
        /// <summary><c>OSVERSIONINFOEXW</c> (284 bytes); <see cref="OSVersionInfoSize"/> must be set before the call.</summary>
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        internal unsafe struct OsVersionInfoEx
        {
            internal uint OSVersionInfoSize;
            internal uint MajorVersion;
            internal uint MinorVersion;
            internal uint BuildNumber;
            internal uint PlatformId;
            internal fixed char CSDVersion[128];
            internal ushort ServicePackMajor;
            internal ushort ServicePackMinor;
            internal ushort SuiteMask;
            internal byte ProductType;
            internal byte Reserved;
        }
    }
}
