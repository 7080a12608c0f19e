using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VirtDisk
    {
        internal const uint OpenVirtualDiskVersion2 = 2;

        /// <summary><c>OPEN_VIRTUAL_DISK_PARAMETERS</c> with the version 2 arm only, as go-winio declares it.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct OpenVirtualDiskParameters
        {
            internal uint Version;
            internal int GetInfoOnly;
            internal int ReadOnly;
            internal Guid ResiliencyGuid;
        }
    }
}
