using System.Globalization;
using System.Runtime.Versioning;
using WcLayer.Transport;

namespace WcLayer.Hcs;

/// <summary>
/// The steps of hcsshim HEAD's <c>ConvertToBaseLayer</c> (spec 9.4) between opening the root and calling HCS: the
/// registry hives under <c>Files\Windows\System32\config</c> and the utility VM checks. Errors are the inner errors
/// hcsshim wraps in its <c>HcsError</c>; <see cref="HcsLayerStore.ConvertToBaseLayer"/> adds the title.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class BaseLayerConversion
{
    /// <summary>hcsshim's <c>RegFilesPath</c>.</summary>
    internal const string RegistryFilesPath = @"Files\Windows\System32\config";

    /// <summary>hcsshim's <c>BcdFilePath</c> relative to <c>UtilityVM\Files</c>.</summary>
    internal const string BcdPath = @"EFI\Microsoft\Boot\BCD";

    /// <summary>The hives every base layer needs, in hcsshim's order.</summary>
    internal static readonly string[] Hives = ["DEFAULT", "SAM", "SECURITY", "SOFTWARE", "SYSTEM"];

    /// <summary>Creates the config folder and any missing hive; returns whether the layer has a utility VM.</summary>
    internal static bool Prepare(LayerRoot root)
    {
        root.CreateDirectories(RegistryFilesPath);
        (uint Major, uint Minor)? version = null;
        foreach (string hive in Hives)
        {
            EnsureHive(root, RegistryFilesPath + @"\" + hive, ref version);
        }

        return HasUtilityVM(root);
    }

    /// <summary>The path given to native code: the root's long path on Windows; elsewhere (contract tests) a POSIX path.</summary>
    internal static string NativePath(LayerRoot root, string relativePath) =>
        OperatingSystem.IsWindows() ? LayerPath.Join(root.FullPath, relativePath) : root.Describe(relativePath);

    private static void EnsureHive(LayerRoot root, string relativePath, ref (uint Major, uint Minor)? version)
    {
        LayerFileStatus? status;
        try
        {
            status = root.Stat(relativePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HcsException($"accessing {relativePath}: {e.Message}", "stat", HcsErrors.CodeOf(e), relativePath, e);
        }

        if (status is { Kind: LayerFileKind.File })
        {
            // B12 fixed: an existing hive is kept (hcsshim recreates it every time).
            return;
        }

        if (status is not null)
        {
            // Never hand a directory or a link to ORSaveHive: it would follow the link out of the layer.
            throw new HcsException(
                $"accessing {relativePath}: {UnexpectedMode(root, relativePath, status.Value.Kind).Message}",
                "stat",
                Win32Error.GenFailure,
                relativePath,
                innerException: null);
        }

        version ??= GetOSVersion();
        string fullPath = NativePath(root, relativePath);

        nint hive = 0;
        int code;
        try
        {
            code = NativeProcedure.Call(Interop.Libraries.Offreg, "ORCreateHive", () => Interop.Offreg.ORCreateHive(out hive));
        }
        catch (HcsDllException e)
        {
            throw new HcsException($"creating hive: {e.Message}", "ORCreateHive", e.ErrorCode, fullPath, e);
        }

        if (code != 0)
        {
            throw Win32Failure("creating hive", code);
        }

        Exception? failure = null;
        try
        {
            uint major = version.Value.Major, minor = version.Value.Minor;
            code = NativeProcedure.Invoke(Interop.Libraries.Offreg, "ORSaveHive", () => Interop.Offreg.ORSaveHive(hive, fullPath, major, minor));
            if (code != 0)
            {
                failure = Win32Failure("saving hive", code);
            }
        }
        catch (HcsDllException e)
        {
            failure = new HcsException($"saving hive: {e.Message}", "ORSaveHive", e.ErrorCode, fullPath, e);
        }
        finally
        {
            int closed;
            try
            {
                closed = NativeProcedure.Invoke(Interop.Libraries.Offreg, "ORCloseHive", () => Interop.Offreg.ORCloseHive(hive));
            }
            catch (HcsDllException e) when (failure is null)
            {
                failure = new HcsException($"closing hive key: {e.Message}", "ORCloseHive", e.ErrorCode, fullPath, e);
                closed = 0;
            }

            if (closed != 0 && failure is null)
            {
                failure = Win32Failure("closing hive key", closed);
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    private static HcsException Win32Failure(string what, int code) =>
        new($"{what}: {SystemMessage.Of(code)}", what, code, path: null, innerException: null);

    private static (uint Major, uint Minor) GetOSVersion()
    {
        var info = new Interop.NtDll.OsVersionInfoEx { OSVersionInfoSize = (uint)System.Runtime.CompilerServices.Unsafe.SizeOf<Interop.NtDll.OsVersionInfoEx>() };
        int status;
        try
        {
            status = NativeProcedure.Call(Interop.Libraries.NtDll, "RtlGetVersion", () => Interop.NtDll.RtlGetVersion(ref info));
        }
        catch (HcsDllException e)
        {
            throw new HcsException($"failed to get OS version: {e.Message}", "RtlGetVersion", e.ErrorCode, path: null, e);
        }

        if (status < 0 || info.MajorVersion == 0)
        {
            throw new HcsException("failed to get OS version");
        }

        return (info.MajorVersion, info.MinorVersion);
    }

    private static bool HasUtilityVM(LayerRoot root)
    {
        LayerFileStatus? files = root.Stat(TransportPath.UtilityVMFiles);
        if (files is null)
        {
            return false;
        }

        if (!files.Value.IsDirectory)
        {
            throw UnexpectedMode(root, TransportPath.UtilityVMFiles, files.Value.Kind);
        }

        string bcd = TransportPath.UtilityVMFiles + @"\" + BcdPath;
        LayerFileStatus? status;
        try
        {
            status = root.Stat(bcd);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HcsException($@"UtilityVM must contain '{BcdPath}': {e.Message}", "stat", HcsErrors.CodeOf(e), root.Describe(bcd), e);
        }

        if (status is null)
        {
            // As NtCreateFile reports it: the leaf missing is "file not found", a missing parent "path not found".
            int code = root.Stat(bcd[..bcd.LastIndexOf('\\')]) is { IsDirectory: true } ? Win32Error.FileNotFound : Win32Error.PathNotFound;
            var missing = new LayerPathException("open", NativePath(root, bcd), code);
            throw new HcsException($@"UtilityVM must contain '{BcdPath}': {missing.Message}", "stat", code, missing.Path, missing);
        }

        if (status.Value.Kind != LayerFileKind.File)
        {
            throw UnexpectedMode(root, bcd, status.Value.Kind);
        }

        return true;
    }

    /// <summary>hcsshim's <c>&lt;full&gt; has unexpected file mode &lt;mode&gt;</c>, with Go's mode letters (no Win32 code: 0x1f).</summary>
    private static HcsException UnexpectedMode(LayerRoot root, string relativePath, LayerFileKind kind) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{NativePath(root, relativePath)} has unexpected file mode {ModeString(kind)}"));

    private static string ModeString(LayerFileKind kind) => kind switch
    {
        LayerFileKind.Directory => "drwxrwxrwx",
        LayerFileKind.SymbolicLink => "Lrw-rw-rw-",
        LayerFileKind.File => "-rw-rw-rw-",
        _ => "?rw-rw-rw-",
    };
}
