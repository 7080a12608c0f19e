using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class VirtDisk
    {
        /// <summary><c>VIRTUAL_STORAGE_TYPE</c>; all zero means "detect from the file".</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct VirtualStorageType
        {
            internal uint DeviceId;
            internal Guid VendorId;
        }
    }
}
