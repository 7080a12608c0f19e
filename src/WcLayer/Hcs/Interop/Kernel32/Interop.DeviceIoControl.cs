using System.Runtime.InteropServices;

namespace WcLayer.Hcs;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        internal const uint IoctlDiskGetLengthInfo = 0x0007405C;
        internal const uint FsctlExtendVolume = 0x000900F0;

        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [LibraryImport(Libraries.Kernel32, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static unsafe partial bool DeviceIoControl(
            SafeKernelHandle device,
            uint ioControlCode,
            void* inBuffer,
            uint inBufferSize,
            void* outBuffer,
            uint outBufferSize,
            uint* bytesReturned,
            nint overlapped);
    }
}
