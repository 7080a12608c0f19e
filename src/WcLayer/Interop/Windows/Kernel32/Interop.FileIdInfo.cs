using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary><c>FILE_ID_INFO</c>: the volume serial number then the 128-bit <c>FILE_ID_128</c>, 24 bytes, 8-byte aligned.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileIdInfo
        {
            internal ulong VolumeSerialNumber;
            internal ulong FileIdLow;
            internal ulong FileIdHigh;
        }
    }
}
