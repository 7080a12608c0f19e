using System.Diagnostics;
using System.Runtime.Versioning;

namespace WcLayer.Hcs;

/// <summary>
/// The layer store of the Windows Host Compute Service: hcsshim's <c>internal/wclayer</c> over vmcompute.dll's legacy
/// layer API. Every member calls the export hcsshim calls, with the same arguments, and fails with the same
/// <see cref="HcsException"/> text. A missing vmcompute.dll or export gives an <see cref="HcsDllException"/>.
/// </summary>
/// <remarks>
/// Each operation starts an activity on the <c>WcLayer</c> activity source named like hcsshim's span
/// (<c>hcsshim::ImportLayer</c>, …) with the same attributes; a failure sets status Error, success leaves it Unset.
/// <see cref="ImportLayer"/> enables SeBackupPrivilege, SeRestorePrivilege and SeSecurityPrivilege and
/// <see cref="ExportLayer"/> SeBackupPrivilege, those the caller's token holds, for the calling thread only and only
/// for the duration of the call; a privilege the token lacks is not an error (as in hcsshim, which enables none).
/// </remarks>
[SupportedOSPlatform("windows")]
public sealed unsafe class HcsLayerStore : ILayerStore
{
    private const string VmCompute = Interop.Libraries.VmCompute;

    // hcsshim's prepareLayerLock: serializing PrepareLayer works around a Windows bug that made concurrent calls time out.
    private static readonly Lock PrepareLayerLock = new();

    private readonly Func<string, ILayerReader>? _openExportFolder;

    /// <summary>Creates the store. It holds no native resources.</summary>
    public HcsLayerStore()
        : this(folder => new Transport.TransportLayerReader(folder, ExportFolderOptions))
    {
    }

    /// <summary>How an HCS export folder is read: hcsshim's legacy reader (its time rules, no security outside <c>Files\</c>).</summary>
    internal static Transport.TransportLayerReaderOptions ExportFolderOptions { get; } =
        new() { HcsExportTimeRules = true, RequireTombstonesFile = true, SecurityOutsideFiles = false };

    /// <summary>Creates the store with the reader of HCS export folders (the transport format reader).</summary>
    internal HcsLayerStore(Func<string, ILayerReader>? openExportFolder)
    {
        _openExportFolder = openExportFolder;
    }

    /// <inheritdoc/>
    public void ActivateLayer(string path)
    {
        const string Title = "hcsshim::ActivateLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        Traced(activity, () => HcsErrors.Check(
            Call("ActivateLayer", () => Interop.VmCompute.ActivateLayer(in DriverInfo.Standard, path), path), Title, path));
    }

    /// <inheritdoc/>
    /// <remarks><paramref name="parent"/> is passed to HCS verbatim (moby passes a bare layer id).</remarks>
    public void CreateLayer(string path, string parent)
    {
        const string Title = "hcsshim::CreateLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("parent", parent);
        Traced(activity, () => HcsErrors.Check(
            Call("CreateLayer", () => Interop.VmCompute.CreateLayer(in DriverInfo.Standard, path, parent), path, parent), Title, path));
    }

    /// <inheritdoc/>
    /// <remarks>Calls <c>CreateSandboxLayer</c> with a NULL parent id; HCS creates <c>sandbox.vhdx</c> in the folder.</remarks>
    public void CreateScratchLayer(string path, IReadOnlyList<string> parentLayerPaths)
    {
        const string Title = "hcsshim::CreateScratchLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        Traced(activity, () =>
        {
            using DescriptorArray layers = Descriptors(Title, parentLayerPaths);
            HcsErrors.Check(
                Call("CreateSandboxLayer", () => Interop.VmCompute.CreateSandboxLayer(in DriverInfo.Standard, path, null, layers.Pointer, layers.Count), path),
                Title,
                path);
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// hcsshim titles this error <c>hcsshim::DeactivateLayer- failed</c>, which prints "failed" twice (its bug B10).
    /// This port fixes it: the title is <c>hcsshim::DeactivateLayer</c>, like every other operation.
    /// </remarks>
    public void DeactivateLayer(string path)
    {
        const string Title = "hcsshim::DeactivateLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        Traced(activity, () => HcsErrors.Check(
            Call("DeactivateLayer", () => Interop.VmCompute.DeactivateLayer(in DriverInfo.Standard, path), path), Title, path));
    }

    /// <inheritdoc/>
    public void DestroyLayer(string path)
    {
        const string Title = "hcsshim::DestroyLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        Traced(activity, () => HcsErrors.Check(
            Call("DestroyLayer", () => Interop.VmCompute.DestroyLayer(in DriverInfo.Standard, path), path), Title, path));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// As hcsshim HEAD: after <c>ExpandSandboxSize</c> the scratch VHD is attached for the duration of the call and
    /// its NTFS volume is always extended to the partition size (<c>FSCTL_EXTEND_VOLUME</c>). Errors of those steps
    /// have Go's <c>os.PathError</c> shape, e.g. <c>OpenVirtualDisk &lt;vhd&gt;: AttachVirtualDisk &lt;vhd&gt;: …</c>.
    /// </remarks>
    public void ExpandScratchSize(string path, ulong size)
    {
        const string Title = "hcsshim::ExpandScratchSize";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("size", unchecked((long)size));
        Traced(activity, () =>
        {
            HcsErrors.Check(
                Call("ExpandSandboxSize", () => Interop.VmCompute.ExpandSandboxSize(in DriverInfo.Standard, path, size), path), Title, path);
            ScratchVolume.Extend(path, GetLayerMountPath);
        });
    }

    /// <inheritdoc/>
    /// <remarks>SeBackupPrivilege is enabled for the call when the caller's token holds it; nothing is required (hcsshim).</remarks>
    public void ExportLayer(string path, string exportFolderPath, IReadOnlyList<string> parentLayerPaths)
    {
        const string Title = "hcsshim::ExportLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("exportFolderPath", exportFolderPath);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        Traced(activity, () =>
        {
            using DescriptorArray layers = Descriptors(Title, parentLayerPaths);
            int hr = 0;
            Privileges.Run(
                [Privileges.Backup],
                () => hr = Call("ExportLayer", () => Interop.VmCompute.ExportLayer(in DriverInfo.Standard, path, exportFolderPath, layers.Pointer, layers.Count), path, exportFolderPath));
            HcsErrors.Check(hr, Title, path);
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Two calls: the first asks for the length in characters (0 means no mount path: <c>""</c>), the second fills a
    /// buffer of that many characters. Errors end with <c>(first call)</c> or <c>(second call)</c>.
    /// </remarks>
    public string GetLayerMountPath(string path)
    {
        const string Title = "hcsshim::GetLayerMountPath";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        return Traced(activity, () =>
        {
            nuint* length = stackalloc nuint[1];
            *length = 0;
            int hr = Call("GetLayerMountPath", () => Interop.VmCompute.GetLayerMountPath(in DriverInfo.Standard, path, length, null), path);
            HcsErrors.Check(hr, Title, path, "(first call)");
            if (*length == 0)
            {
                return string.Empty;
            }

            if (*length > int.MaxValue)
            {
                throw new HcsException(Title, Win32Error.ToHResult(Win32Error.InvalidParameter), path, "(first call)");
            }

            char[] buffer = new char[(int)*length];
            hr = Call("GetLayerMountPath", () =>
            {
                fixed (char* chars = buffer)
                {
                    return Interop.VmCompute.GetLayerMountPath(in DriverInfo.Standard, path, length, chars);
                }
            }, path);
            HcsErrors.Check(hr, Title, path, "(second call)");
            int end = Array.IndexOf(buffer, '\0');
            string mountPath = new(buffer, 0, end < 0 ? buffer.Length : end);
            activity?.SetTag("mountPath", mountPath);
            return mountPath;
        });
    }

    /// <inheritdoc/>
    /// <remarks>The string HCS allocates is freed with <c>CoTaskMemFree</c>; a NULL result reads as <c>""</c>.</remarks>
    public string GetSharedBaseImages()
    {
        const string Title = "hcsshim::GetSharedBaseImages";
        using Activity? activity = Start(Title);
        return Traced(activity, () =>
        {
            char** buffer = stackalloc char*[1];
            *buffer = null;
            HcsErrors.Check(Call("GetBaseImages", () => Interop.VmCompute.GetBaseImages(buffer)), Title, path: null);
            string images = *buffer is null ? string.Empty : new string(*buffer);
            if (*buffer is not null)
            {
                NativeProcedure.Invoke(Interop.Libraries.Ole32, "CoTaskMemFree", () =>
                {
                    Interop.Ole32.CoTaskMemFree((nint)(*buffer));
                    return 0;
                });
            }

            activity?.SetTag("imageData", images);
            return images;
        });
    }

    /// <inheritdoc/>
    public void GrantVmAccess(string vmId, string filePath)
    {
        const string Title = "hcsshim::GrantVmAccess";
        using Activity? activity = Start(Title);
        activity?.SetTag("vm-id", vmId);
        activity?.SetTag("path", filePath);
        Traced(activity, () => HcsErrors.Check(
            Call("GrantVmAccess", () => Interop.VmCompute.GrantVmAccess(vmId, filePath), vmId, filePath), Title, filePath));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// SeBackupPrivilege, SeRestorePrivilege and SeSecurityPrivilege are enabled for the call when the caller's token
    /// holds them; nothing is required (hcsshim).
    /// </remarks>
    public void ImportLayer(string path, string importFolderPath, IReadOnlyList<string> parentLayerPaths)
    {
        const string Title = "hcsshim::ImportLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("importFolderPath", importFolderPath);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        Traced(activity, () =>
        {
            using DescriptorArray layers = Descriptors(Title, parentLayerPaths);
            int hr = 0;
            Privileges.Run(
                [Privileges.Backup, Privileges.Restore, Privileges.Security],
                () => hr = Call("ImportLayer", () => Interop.VmCompute.ImportLayer(in DriverInfo.Standard, path, importFolderPath, layers.Pointer, layers.Count), path, importFolderPath));
            HcsErrors.Check(hr, Title, path);
        });
    }

    /// <inheritdoc/>
    public bool LayerExists(string path)
    {
        const string Title = "hcsshim::LayerExists";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        return Traced(activity, () =>
        {
            int* exists = stackalloc int[1];
            *exists = 0;
            HcsErrors.Check(Call("LayerExists", () => Interop.VmCompute.LayerExists(in DriverInfo.Standard, path, exists), path), Title, path);
            bool result = *exists != 0;
            activity?.SetTag("layer-exists", result);
            return result;
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The base name follows Go's <c>filepath.Split</c> on Windows: both separators count and a trailing separator gives
    /// the empty name. Folders with the same base name get the same id, as in hcsshim.
    /// </remarks>
    public Guid LayerId(string path)
    {
        using Activity? activity = Start("hcsshim::LayerID");
        activity?.SetTag("path", path);
        return Traced(activity, () => NameToGuid(LayerPath.BaseName(path)));
    }

    /// <inheritdoc/>
    public Guid NameToGuid(string name)
    {
        const string Title = "hcsshim::NameToGuid";
        using Activity? activity = Start(Title);
        activity?.SetTag("objectName", name);
        return Traced(activity, () =>
        {
            Guid* guid = stackalloc Guid[1];
            *guid = Guid.Empty;
            HcsErrors.Check(Call("NameToGuid", () => Interop.VmCompute.NameToGuid(name, guid), name), Title, name);
            activity?.SetTag("guid", guid->ToString());
            return *guid;
        });
    }

    /// <inheritdoc/>
    /// <remarks>Calls are serialized process-wide, as hcsshim does to avoid HCS timeouts; descriptors are built outside the lock.</remarks>
    public void PrepareLayer(string path, IReadOnlyList<string> parentLayerPaths)
    {
        const string Title = "hcsshim::PrepareLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        Traced(activity, () =>
        {
            using DescriptorArray layers = Descriptors(Title, parentLayerPaths);
            int hr;
            lock (PrepareLayerLock)
            {
                hr = Call("PrepareLayer", () => Interop.VmCompute.PrepareLayer(in DriverInfo.Standard, path, layers.Pointer, layers.Count), path);
            }

            HcsErrors.Check(hr, Title, path);
        });
    }

    /// <inheritdoc/>
    /// <remarks>Errors have Go's <c>os.PathError</c> shape: <c>hcsshim::ProcessBaseLayer &lt;path&gt;: &lt;message&gt;</c>.</remarks>
    public void ProcessBaseLayer(string path) => ProcessImage("hcsshim::ProcessBaseLayer", "ProcessBaseImage", path);

    /// <inheritdoc/>
    /// <remarks>Errors have Go's <c>os.PathError</c> shape: <c>hcsshim::ProcessUtilityVMImage &lt;path&gt;: &lt;message&gt;</c>.</remarks>
    public void ProcessUtilityVMImage(string path) => ProcessImage("hcsshim::ProcessUtilityVMImage", "ProcessUtilityImage", path);

    /// <summary>
    /// Turns a folder holding <c>Files\…</c> (and optionally <c>UtilityVM\Files\…</c>) into a base layer, as hcsshim's
    /// <c>ConvertToBaseLayer</c> and <c>wclayer makebaselayer</c> (spec 9.4): creates
    /// <c>Files\Windows\System32\config</c>, creates any of the registry hives <c>DEFAULT</c>, <c>SAM</c>,
    /// <c>SECURITY</c>, <c>SOFTWARE</c> and <c>SYSTEM</c> that is missing as an empty hive (offreg.dll
    /// <c>ORCreateHive</c>, <c>ORSaveHive</c> in the format of the running OS version, <c>ORCloseHive</c>), checks the
    /// utility VM (<c>UtilityVM\Files\EFI\Microsoft\Boot\BCD</c> must be a file), then runs
    /// <see cref="ProcessBaseLayer"/> and, with a utility VM, <see cref="ProcessUtilityVMImage"/> on the long path of
    /// the folder.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Unlike hcsshim, which always recreates the five hives (its bug B12), an existing hive that is a regular file is
    /// kept as it is; an existing hive that is a directory or a link is an error (it is never handed to
    /// <c>ORSaveHive</c>).
    /// </para>
    /// <para>
    /// Errors have hcsshim's shape <c>hcsshim::ConvertToBaseLayer - failed failed in Win32: &lt;inner&gt; (0x&lt;code&gt;)</c>,
    /// e.g. <c>… failed in Win32: saving hive: Access is denied. (0x5)</c>; the code is the inner error's Win32 code, or
    /// 0x1f when it has none. A missing offreg.dll or vmcompute.dll is passed through unwrapped (its message keeps the
    /// step, e.g. <c>creating hive: Failed to load offreg.dll: …</c>), as hcsshim passes DLL errors through.
    /// </para>
    /// </remarks>
    /// <param name="path">The layer folder; it must exist.</param>
    /// <exception cref="HcsException">A step failed.</exception>
    public void ConvertToBaseLayer(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        const string Title = "hcsshim::ConvertToBaseLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        Traced(activity, () =>
        {
            try
            {
                using Transport.LayerRoot root = Transport.LayerRoot.Open(path);
                bool hasUtilityVM = BaseLayerConversion.Prepare(root);
                ProcessBaseLayer(root.FullPath);
                if (hasUtilityVM)
                {
                    if (root.Stat(Transport.TransportPath.UtilityVM) is not { IsDirectory: true })
                    {
                        throw new LayerPathException("open", root.Describe(Transport.TransportPath.UtilityVM), Win32Error.ReparsePointEncountered);
                    }

                    ProcessUtilityVMImage(LayerPath.Join(root.FullPath, Transport.TransportPath.UtilityVM));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw HcsErrors.Titled(Title + " - failed", e);
            }
        });
    }

    /// <inheritdoc/>
    public void UnprepareLayer(string path)
    {
        const string Title = "hcsshim::UnprepareLayer";
        using Activity? activity = Start(Title);
        activity?.SetTag("path", path);
        Traced(activity, () => HcsErrors.Check(
            Call("UnprepareLayer", () => Interop.VmCompute.UnprepareLayer(in DriverInfo.Standard, path), path), Title, path));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// As hcsshim HEAD: a layer without parents is read straight from its folder (<c>Files</c>, then the utility VM;
    /// no HCS call, no privilege enabled). With parents, it exports into a new <c>%TEMP%\hcs*</c> folder and reads
    /// that folder; disposing the reader deletes it. The activity lasts until the reader is disposed.
    /// </remarks>
    /// <exception cref="LayerPathException">A layer without parents cannot be opened.</exception>
    public ILayerReader NewLayerReader(string path, IReadOnlyList<string> parentLayerPaths)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        Activity? activity = Start("hcsshim::NewLayerReader");
        activity?.SetTag("path", path);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        try
        {
            if (parentLayerPaths.Count == 0)
            {
                return new BaseLayerReader(Transport.LayerRoot.Open(path), activity);
            }

            Func<string, ILayerReader> open = _openExportFolder ?? throw new NotImplementedException("needs the transport reader/writer");
            string exportPath = Directory.CreateTempSubdirectory("hcs").FullName;
            try
            {
                ExportLayer(path, exportPath, parentLayerPaths);
                return new ExportFolderReader(open(exportPath), exportPath, activity);
            }
            catch
            {
                ExportFolderReader.TryDelete(exportPath);
                throw;
            }
        }
        catch (Exception e)
        {
            activity.SetError(e);
            activity?.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Without parents, hcsshim's base-layer writer: entries go straight into <paramref name="path"/> (which must
    /// exist), and <see cref="ILayerWriter.Commit"/> runs ProcessBaseLayer (and ProcessUtilityVMImage with a utility
    /// VM). With parents, hcsshim's legacy writer: entries go to a new <c>%TEMP%\hcs*</c> import folder in the
    /// transport format, and Commit runs ImportLayer, then the hard links, tombstones and directory times. The
    /// <c>hcsshim::NewLayerWriter</c> activity lasts until Commit or Dispose. A writer disposed without Commit imports
    /// nothing and removes what it wrote. The layer path given to HCS is the <c>\\?\</c> long form, as hcsshim's.
    /// </remarks>
    /// <exception cref="LayerPathException">The layer or a parent folder cannot be opened.</exception>
    public ILayerWriter NewLayerWriter(string path, IReadOnlyList<string> parentLayerPaths)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(parentLayerPaths);
        Activity? activity = Start("hcsshim::NewLayerWriter");
        activity?.SetTag("path", path);
        activity?.SetTag("parentLayerPaths", string.Join(", ", parentLayerPaths));
        try
        {
            if (parentLayerPaths.Count == 0)
            {
                return new BaseLayerWriter(this, Transport.LayerRoot.Open(path), activity);
            }

            return new LegacyLayerWriter(this, path, HcsLayerPath(path), parentLayerPaths, activity);
        }
        catch (Exception e)
        {
            activity.SetError(e);
            activity?.Dispose();
            throw;
        }
    }

    /// <summary>hcsshim's <c>root.Name()</c>: the long form on Windows; elsewhere (contract tests) the full path.</summary>
    private static string HcsLayerPath(string path) =>
        OperatingSystem.IsWindows() ? Transport.WindowsLayerRoot.ToLongPath(Path.GetFullPath(path)) : Path.GetFullPath(path);

    private void ProcessImage(string title, string procedure, string path)
    {
        using Activity? activity = Start(title);
        activity?.SetTag("path", path);
        Traced(activity, () =>
        {
            int hr;
            try
            {
                hr = Call(procedure, () => procedure == "ProcessBaseImage"
                    ? Interop.VmCompute.ProcessBaseImage(path)
                    : Interop.VmCompute.ProcessUtilityImage(path), path);
            }
            catch (HcsDllException e)
            {
                // hcsshim wraps even the DLL error in the PathError here.
                throw HcsErrors.Wrap(title, path, e);
            }

            if (HcsErrors.Failed(hr))
            {
                throw HcsErrors.PathError(title, path, hr);
            }
        });
    }

    private DescriptorArray Descriptors(string title, IReadOnlyList<string> parentLayerPaths) =>
        DescriptorArray.Create(title, parentLayerPaths, LayerId);

    /// <summary>
    /// One vmcompute call as Go's generated wrapper makes it: find the export, convert the strings (a NUL is EINVAL,
    /// nothing is called), call.
    /// </summary>
    private static int Call(string procedure, Func<int> call, string? s1 = null, string? s2 = null)
    {
        NativeProcedure.Require(VmCompute, procedure);
        if (HcsErrors.HasNul(s1) || HcsErrors.HasNul(s2))
        {
            return HcsErrors.GoInvalidArgument;
        }

        return NativeProcedure.Invoke(VmCompute, procedure, call);
    }

    private static Activity? Start(string name) => WcLayerActivitySource.Source.StartActivity(name);

    private static void Traced(Activity? activity, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            activity.SetError(e);
            throw;
        }
    }

    private static T Traced<T>(Activity? activity, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            activity.SetError(e);
            throw;
        }
    }
}
