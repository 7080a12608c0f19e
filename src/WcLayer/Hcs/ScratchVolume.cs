using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// Grows a scratch layer's NTFS volume to fill its (already expanded) VHD: hcsshim HEAD's <c>expandSandboxVolume</c>.
/// Needed because a scratch that never goes through <c>PrepareLayer</c> is not extended by HCS.
/// </summary>
[SupportedOSPlatform("windows")]
internal static unsafe class ScratchVolume
{
    // hcsshim hard-codes both; the scratch VHDs HCS creates are formatted this way.
    private const long ClusterSize = 4096;
    private const long SectorsPerCluster = ClusterSize / 512;

    internal static void Extend(string layerPath, Func<string, string> getLayerMountPath)
    {
        string vhdPath = LayerPath.Join(layerPath, "sandbox.vhdx");

        // Attached only while this handle is open: closing it detaches the disk.
        using SafeKernelHandle disk = Attach(vhdPath);

        string volumePath = getLayerMountPath(layerPath);
        if (volumePath.Length == 0)
        {
            // hcsshim indexes the last character unchecked and panics here (its bug B3).
            throw HcsErrors.PathError("GetLayerMountPath", layerPath, Win32Error.ToHResult(Win32Error.NotReady));
        }

        if (volumePath[^1] == '\\')
        {
            volumePath = volumePath[..^1];
        }

        using SafeKernelHandle volume = Interop.Kernel32.CreateFile(
            volumePath,
            Interop.Kernel32.GenericRead | Interop.Kernel32.GenericWrite,
            Interop.Kernel32.FileShareRead | Interop.Kernel32.FileShareWrite,
            0,
            Interop.Kernel32.OpenExisting,
            0,
            0);
        if (volume.IsInvalid)
        {
            throw HcsErrors.PathError("open", volumePath, Marshal.GetLastPInvokeError());
        }

        long partitionSize = 0;
        uint bytes = 0;
        if (!Interop.Kernel32.DeviceIoControl(volume, Interop.Kernel32.IoctlDiskGetLengthInfo, null, 0, &partitionSize, sizeof(long), &bytes, 0))
        {
            throw HcsErrors.PathError("IOCTL_DISK_GET_LENGTH_INFO", volumePath, Marshal.GetLastPInvokeError());
        }

        long targetClusters = partitionSize / ClusterSize;
        ulong totalBytes = 0;
        if (!Interop.Kernel32.GetDiskFreeSpaceEx(volumePath + "\\", null, &totalBytes, null))
        {
            throw HcsErrors.PathError("GetDiskFreeSpaceEx", volumePath, Marshal.GetLastPInvokeError());
        }

        long volumeClusters = (long)(totalBytes / ClusterSize);

        // NTFS keeps one cluster for itself; extending without room fails with ERROR_INVALID_PARAMETER.
        if (volumeClusters + 1 < targetClusters)
        {
            long targetSectors = targetClusters * SectorsPerCluster;
            if (!Interop.Kernel32.DeviceIoControl(volume, Interop.Kernel32.FsctlExtendVolume, &targetSectors, sizeof(long), null, 0, &bytes, 0))
            {
                throw HcsErrors.PathError("FSCTL_EXTEND_VOLUME", volumePath, Marshal.GetLastPInvokeError());
            }
        }
    }

    private static SafeKernelHandle Attach(string vhdPath)
    {
        var storageType = default(Interop.VirtDisk.VirtualStorageType);
        var parameters = new Interop.VirtDisk.OpenVirtualDiskParameters { Version = Interop.VirtDisk.OpenVirtualDiskVersion2 };
        (int error, SafeKernelHandle disk) = NativeProcedure.Call(Interop.Libraries.VirtDisk, "OpenVirtualDisk", () =>
        {
            int result = Interop.VirtDisk.OpenVirtualDisk(in storageType, vhdPath, 0, 0, in parameters, out SafeKernelHandle handle);
            return (result, handle);
        });

        // hcsshim reported GetLastError instead of this return code (its bug B4). Its wording is kept: attachVhd's
        // PathError, wrapped in a second one by expandSandboxVolume.
        if (error != 0)
        {
            disk.Dispose();
            throw HcsErrors.Wrap("OpenVirtualDisk", vhdPath, HcsErrors.PathError("OpenVirtualDisk", vhdPath, error));
        }

        error = NativeProcedure.Call(Interop.Libraries.VirtDisk, "AttachVirtualDisk", () => Interop.VirtDisk.AttachVirtualDisk(
            disk, 0, Interop.VirtDisk.AttachVirtualDiskFlagBypassDefaultEncryptionPolicy, 0, 0, 0));
        if (error != 0)
        {
            disk.Dispose();
            // go-winio's vhd.AttachVirtualDisk adds its own prefix before hcsshim's two PathErrors.
            var attach = new HcsException($"AttachVirtualDisk {vhdPath}: failed to attach virtual disk: {SystemMessage.Of(error)}", "AttachVirtualDisk", error, vhdPath, innerException: null);
            throw HcsErrors.Wrap("OpenVirtualDisk", vhdPath, attach);
        }

        return disk;
    }
}
