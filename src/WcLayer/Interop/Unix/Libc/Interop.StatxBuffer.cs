using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint STATX_BASIC_STATS = 0x7FF;
        internal const uint STATX_BTIME = 0x800;

        /// <summary>In <c>stx_attributes</c>: the path is the root of a mount (Linux 5.8+; see <c>stx_attributes_mask</c>).</summary>
        internal const ulong STATX_ATTR_MOUNT_ROOT = 0x2000;

        internal const ushort S_IFMT = 0xF000;
        internal const ushort S_IFDIR = 0x4000;
        internal const ushort S_IFREG = 0x8000;
        internal const ushort S_IFLNK = 0xA000;
        internal const ushort S_IFCHR = 0x2000;

        /// <summary><c>struct statx</c>: the same layout on every Linux architecture.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        internal struct StatxBuffer
        {
            [FieldOffset(0)] public uint Mask;
            [FieldOffset(8)] public ulong Attributes;
            [FieldOffset(16)] public uint NumberOfLinks;
            [FieldOffset(28)] public ushort Mode;
            [FieldOffset(32)] public ulong Inode;
            [FieldOffset(40)] public ulong Size;
            [FieldOffset(56)] public ulong AttributesMask;
            [FieldOffset(64)] public StatxTimestamp AccessTime;
            [FieldOffset(80)] public StatxTimestamp BirthTime;
            [FieldOffset(96)] public StatxTimestamp ChangeTime;
            [FieldOffset(112)] public StatxTimestamp ModificationTime;
            [FieldOffset(128)] public uint RDeviceMajor;
            [FieldOffset(132)] public uint RDeviceMinor;
            [FieldOffset(136)] public uint DeviceMajor;
            [FieldOffset(140)] public uint DeviceMinor;

            /// <summary>Whether the kernel reported that this is the root of a mount.</summary>
            public readonly bool IsMountRoot => (Attributes & AttributesMask & STATX_ATTR_MOUNT_ROOT) != 0;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct StatxTimestamp
        {
            public long Seconds;
            public uint Nanoseconds;
            public int Reserved;
        }
    }
}
