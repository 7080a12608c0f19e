using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using WcLayer.Hcs;

namespace WcLayer.Tests.Hcs;

/// <summary>Which library the resolver hands out for vmcompute.dll.</summary>
public enum DoubleMode
{
    /// <summary>The full double.</summary>
    Full,

    /// <summary>A build of the double without the GrantVmAccess export.</summary>
    WithoutGrantVmAccess,

    /// <summary>No vmcompute.dll at all.</summary>
    Missing,
}

/// <summary>
/// Builds native/vmcompute_double.c with gcc once per test run and routes the library's imports of vmcompute.dll,
/// virtdisk.dll, kernel32.dll, advapi32.dll, ole32.dll, offreg.dll and ntdll.dll to it
/// (AssemblyLoadContext.ResolvingUnmanagedDll fires only after default probing fails, which it always does for these
/// names off Windows). The double also stands in for the kernel32 and ntdll functions of the Windows file-system seam
/// (WindowsLayerRoot) over real POSIX folders, so that seam's calls can be checked here too. Exposes the double's control API.
/// </summary>
public sealed class VmComputeDouble
{
    private static readonly string[] DllNames = ["vmcompute.dll", "virtdisk.dll", "kernel32.dll", "advapi32.dll", "ole32.dll", "offreg.dll", "ntdll.dll"];
    private static readonly Lazy<VmComputeDouble> Shared = new(() => new VmComputeDouble());
    private static volatile DoubleMode s_mode;
    private static volatile bool s_offregMissing;

    private readonly nint _full;
    private readonly nint _partial;
    private readonly Action _reset;
    private readonly Func<nint> _getLog;
    private readonly Action<string, long> _setResult;
    private readonly Action<string, int> _setLastError;
    private readonly Action<string?> _setMountPath;
    private readonly Action<string?> _setBaseImages;
    private readonly Action<nint> _setGuid;
    private readonly Func<int> _freeCount;
    private readonly Func<int> _allocCount;
    private readonly Func<int> _maxConcurrentPrepare;
    private readonly Action<long, long> _setDisk;
    private readonly Action<uint> _setMissingPrivilege;
    private readonly Action<string> _markReparse;
    private readonly Action<uint> _denyAccess;
    private readonly Func<int> _liveBackupContexts;
    private readonly Action<uint, uint, string> _setMessage;
    private readonly Func<nint> _getFormatCalls;

    private VmComputeDouble()
    {
        string output = Path.Combine(Path.GetTempPath(), "wclayer-vmcompute-double-" + Environment.ProcessId);
        Directory.CreateDirectory(output);
        string source = SourcePath();
        _full = NativeLibrary.Load(Compile(source, Path.Combine(output, "libvmcompute_double.so")));
        _partial = NativeLibrary.Load(Compile(source, Path.Combine(output, "libvmcompute_double_partial.so"), "-DDOUBLE_OMIT_GRANTVMACCESS"));

        // Both libraries are mapped now: their files are not needed any more, and each test run would leave a folder.
        Directory.Delete(output, recursive: true);

        _reset = Bind<VoidFn>("double_reset").Invoke;
        _getLog = Bind<PtrFn>("double_get_log").Invoke;
        _setResult = Bind<SetResultFn>("double_set_result").Invoke;
        _setLastError = Bind<SetLastErrorFn>("double_set_last_error").Invoke;
        _setMountPath = Bind<SetStringFn>("double_set_mount_path").Invoke;
        _setBaseImages = Bind<SetStringFn>("double_set_base_images").Invoke;
        _setGuid = Bind<SetPtrFn>("double_set_guid").Invoke;
        _freeCount = Bind<IntFn>("double_get_free_count").Invoke;
        _allocCount = Bind<IntFn>("double_get_alloc_count").Invoke;
        _maxConcurrentPrepare = Bind<IntFn>("double_get_max_concurrent_prepare").Invoke;
        _setDisk = Bind<SetDiskFn>("double_set_disk").Invoke;
        _setMissingPrivilege = Bind<SetUIntFn>("double_set_missing_privilege").Invoke;
        _markReparse = Bind<SetUtf8Fn>("double_mark_reparse").Invoke;
        _denyAccess = Bind<SetUIntFn>("double_deny_access").Invoke;
        _liveBackupContexts = Bind<IntFn>("double_get_live_backup_contexts").Invoke;
        _setMessage = Bind<SetMessageFn>("double_set_message").Invoke;
        _getFormatCalls = Bind<PtrFn>("double_get_format_calls").Invoke;

        Assembly library = typeof(HcsLayerStore).Assembly;
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, name) =>
        {
            if (assembly != library || !DllNames.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return 0;
            }

            if (name.Equals("offreg.dll", StringComparison.OrdinalIgnoreCase))
            {
                return s_offregMissing ? 0 : _full;
            }

            if (!name.Equals("vmcompute.dll", StringComparison.OrdinalIgnoreCase))
            {
                return _full;
            }

            return s_mode switch
            {
                DoubleMode.Full => _full,
                DoubleMode.WithoutGrantVmAccess => _partial,
                _ => 0,
            };
        };
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void VoidFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint PtrFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetResultFn([MarshalAs(UnmanagedType.LPUTF8Str)] string name, long value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetLastErrorFn([MarshalAs(UnmanagedType.LPUTF8Str)] string name, int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetStringFn([MarshalAs(UnmanagedType.LPWStr)] string? value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetPtrFn(nint value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetDiskFn(long partition, long total);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUIntFn(uint value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetUtf8Fn([MarshalAs(UnmanagedType.LPUTF8Str)] string value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetMessageFn(uint id, uint language, [MarshalAs(UnmanagedType.LPWStr)] string text);

    /// <summary>The one instance (the resolver can only be registered once per process sensibly).</summary>
    public static VmComputeDouble Instance => Shared.Value;

    /// <summary>What vmcompute.dll resolves to; tests that change it restore <see cref="DoubleMode.Full"/>.</summary>
    public static DoubleMode Mode
    {
        get => s_mode;
        set => s_mode = value;
    }

    /// <summary>Whether offreg.dll fails to load (reset by <see cref="Reset"/>).</summary>
    public static bool OffregMissing
    {
        get => s_offregMissing;
        set => s_offregMissing = value;
    }

    /// <summary>Every call since the last <see cref="Reset"/>, one line each.</summary>
    public string Log => Marshal.PtrToStringUTF8(_getLog()) ?? string.Empty;

    /// <summary>The log lines.</summary>
    public string[] Lines => Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public int FreeCount => _freeCount();

    public int AllocCount => _allocCount();

    public int MaxConcurrentPrepare => _maxConcurrentPrepare();

    public void Reset()
    {
        Mode = DoubleMode.Full;
        OffregMissing = false;
        _reset();
    }

    /// <summary>Scripts the result of an export (an HRESULT, a Win32 code or a BOOL, as the export returns).</summary>
    public void SetResult(string export, long value) => _setResult(export, value);

    public void SetResult(string export, uint hresult) => _setResult(export, unchecked((int)hresult));

    public void SetLastError(string export, int error) => _setLastError(export, error);

    public void SetMountPath(string? path) => _setMountPath(path);

    public void SetBaseImages(string? text) => _setBaseImages(text);

    public void SetDisk(long partitionSize, long totalBytes) => _setDisk(partitionSize, totalBytes);

    public void SetMissingPrivilege(uint luid) => _setMissingPrivilege(luid);

    /// <summary>Makes the entry at this POSIX path a reparse point for the Windows seam (a junction when it is a directory).</summary>
    public void MarkReparsePoint(string path) => _markReparse(path);

    /// <summary>NtCreateFile fails with STATUS_PRIVILEGE_NOT_HELD when asked for any of these rights (reset by <see cref="Reset"/>).</summary>
    public void DenyAccess(uint rights) => _denyAccess(rights);

    /// <summary>BackupRead/BackupWrite contexts not freed with an abort call.</summary>
    public int LiveBackupContexts => _liveBackupContexts();

    /// <summary>Scripts the system text FormatMessageW gives for a code in a language (0: the default language).</summary>
    public void SetMessage(uint id, uint language, string text) => _setMessage(id, language, text);

    /// <summary>The FormatMessageW calls since the last <see cref="Reset"/>, one line each (they are not in <see cref="Log"/>).</summary>
    public string[] FormatCalls => (Marshal.PtrToStringUTF8(_getFormatCalls()) ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void SetGuid(Guid? guid)
    {
        if (guid is null)
        {
            _setGuid(0);
            return;
        }

        nint memory = Marshal.AllocHGlobal(16);
        try
        {
            Marshal.StructureToPtr(guid.Value, memory, false);
            _setGuid(memory);
        }
        finally
        {
            Marshal.FreeHGlobal(memory);
        }
    }

    private T Bind<T>(string export)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_full, export));

    private static string Compile(string source, string output, params string[] defines)
    {
        var start = new ProcessStartInfo("gcc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in (string[])["-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", .. defines, "-o", output, source])
        {
            start.ArgumentList.Add(argument);
        }

        using Process gcc = Process.Start(start) ?? throw new InvalidOperationException("gcc did not start");
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        if (gcc.ExitCode != 0)
        {
            throw new InvalidOperationException($"gcc failed ({gcc.ExitCode}) building the vmcompute double:\n{errors}");
        }

        return output;
    }

    private static string SourcePath([CallerFilePath] string thisFile = "")
    {
        string beside = Path.Combine(Path.GetDirectoryName(thisFile) ?? ".", "native", "vmcompute_double.c");
        if (File.Exists(beside))
        {
            return beside;
        }

        // Built elsewhere: find the source from the output folder upwards.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "WcLayer.Tests", "Hcs", "native", "vmcompute_double.c");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("native/vmcompute_double.c not found", beside);
    }
}

/// <summary>The contract tests share the double's global state, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class VmComputeDoubleCollection : ICollectionFixture<VmComputeDoubleFixture>
{
    public const string Name = "vmcompute double";
}

/// <summary>Builds and registers the double once for the collection.</summary>
public sealed class VmComputeDoubleFixture
{
    public VmComputeDouble Double { get; } = VmComputeDouble.Instance;
}

/// <summary>Collects the activities of the WcLayer source while a test runs.</summary>
public sealed class ActivityRecorder : IDisposable
{
    // Listeners are process-wide and tests of other classes run in parallel and emit the same span names: record only
    // what this test's own flow stops.
    private static readonly AsyncLocal<ActivityRecorder?> Current = new();

    private readonly ActivityListener _listener;
    private readonly List<Activity> _stopped = [];

    public ActivityRecorder()
    {
        Current.Value = this;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "WcLayer",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (!ReferenceEquals(Current.Value, this))
                {
                    return;
                }

                lock (_stopped)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped
    {
        get
        {
            lock (_stopped)
            {
                return [.. _stopped];
            }
        }
    }

    public Activity Single(string name) => Assert.Single(Stopped, a => a.OperationName == name);

    public void Dispose()
    {
        Current.Value = null;
        _listener.Dispose();
    }
}
