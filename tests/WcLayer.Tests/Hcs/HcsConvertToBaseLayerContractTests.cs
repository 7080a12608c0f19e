// Contract tests of HcsLayerStore.ConvertToBaseLayer: off Windows the layer folder is opened through the Unix side of
// the file-system seam, so the folders and hive files are really created in a temp folder, while offreg.dll, ntdll.dll
// (RtlGetVersion) and vmcompute.dll are the native double. CA1416 is suppressed because the Windows-only backend is
// called off Windows on purpose.
#pragma warning disable CA1416

using WcLayer.Hcs;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed class HcsConvertToBaseLayerContractTests : IDisposable
{
    private static readonly string[] HiveNames = ["DEFAULT", "SAM", "SECURITY", "SOFTWARE", "SYSTEM"];
    private readonly VmComputeDouble _double;
    private readonly HcsLayerStore _store = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("wclayer-convert-").FullName;

    public HcsConvertToBaseLayerContractTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose()
    {
        _double.Reset();
        Directory.Delete(_folder, recursive: true);
    }

    private string NewLayer(string name)
    {
        string layer = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        Directory.CreateDirectory(Path.Combine(layer, "Files"));
        return layer;
    }

    private static string Config(string layer) => Path.Combine(layer, "Files", "Windows", "System32", "config");

    private static string[] HiveCalls(string layer, IEnumerable<string> hives) =>
        [.. hives.SelectMany(h => new[]
        {
            "ORCreateHive",
            $"ORSaveHive hive=0x4004 path=\"{Path.Combine(Config(layer), h)}\" version=10.0",
            "ORCloseHive hive=0x4004",
        })];

    [ContractFact]
    public void Files_only_creates_the_five_hives_then_processes_the_base_layer_without_a_utility_vm()
    {
        string layer = NewLayer("plain");
        using var recorder = new ActivityRecorder();
        _store.ConvertToBaseLayer(layer);

        Assert.Equal(
            ["RtlGetVersion size=284", .. HiveCalls(layer, HiveNames), $"ProcessBaseImage path=\"{layer}\""],
            _double.Lines);
        foreach (string hive in HiveNames)
        {
            Assert.True(File.Exists(Path.Combine(Config(layer), hive)), hive);
        }

        Assert.Equal(layer, recorder.Single("hcsshim::ConvertToBaseLayer").GetTagItem("path"));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Unset, recorder.Single("hcsshim::ConvertToBaseLayer").Status);
    }

    [ContractFact]
    public void Existing_hive_files_are_kept_not_recreated()
    {
        string layer = NewLayer("some-hives");
        Directory.CreateDirectory(Config(layer));
        File.WriteAllText(Path.Combine(Config(layer), "SAM"), "sam");
        File.WriteAllText(Path.Combine(Config(layer), "SYSTEM"), "system");
        _store.ConvertToBaseLayer(layer);

        Assert.Equal(
            ["RtlGetVersion size=284", .. HiveCalls(layer, ["DEFAULT", "SECURITY", "SOFTWARE"]), $"ProcessBaseImage path=\"{layer}\""],
            _double.Lines);
        Assert.Equal("sam", File.ReadAllText(Path.Combine(Config(layer), "SAM")));

        // All present: no offreg call, no version query.
        _double.Reset();
        _store.ConvertToBaseLayer(layer);
        Assert.Equal([$"ProcessBaseImage path=\"{layer}\""], _double.Lines);
    }

    [ContractFact]
    public void Utility_vm_with_bcd_is_processed_after_the_base_layer()
    {
        string layer = NewLayer("uvm");
        string boot = Directory.CreateDirectory(Path.Combine(layer, "UtilityVM", "Files", "EFI", "Microsoft", "Boot")).FullName;
        File.WriteAllText(Path.Combine(boot, "BCD"), "bcd");
        _store.ConvertToBaseLayer(layer);
        Assert.Equal(
            [$"ProcessBaseImage path=\"{layer}\"", $"ProcessUtilityImage path=\"{layer.Replace('/', '\\')}\\UtilityVM\""],
            _double.Lines.Where(l => l.StartsWith("Process", StringComparison.Ordinal)));
    }

    [ContractFact]
    public void Utility_vm_without_bcd_fails_before_processing()
    {
        string layer = NewLayer("uvm-no-bcd");
        Directory.CreateDirectory(Path.Combine(layer, "UtilityVM", "Files"));
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        string bcd = Path.Combine(layer, "UtilityVM", "Files", "EFI", "Microsoft", "Boot", "BCD");
        Assert.Equal(
            $"hcsshim::ConvertToBaseLayer - failed failed in Win32: UtilityVM must contain 'EFI\\Microsoft\\Boot\\BCD': open {bcd}: The system cannot find the path specified. (0x3)",
            e.Message);
        Assert.Equal("hcsshim::ConvertToBaseLayer - failed", e.Operation);
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("Process", StringComparison.Ordinal));

        // The boot folder present, the file missing: file not found.
        Directory.CreateDirectory(Path.Combine(layer, "UtilityVM", "Files", "EFI", "Microsoft", "Boot"));
        e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.EndsWith($"open {bcd}: The system cannot find the file specified. (0x2)", e.Message, StringComparison.Ordinal);

        // BCD as a folder: the unexpected-mode error, without a Win32 code.
        Directory.CreateDirectory(bcd);
        e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal($"hcsshim::ConvertToBaseLayer - failed failed in Win32: {bcd} has unexpected file mode drwxrwxrwx (0x1f)", e.Message);
    }

    [ContractFact]
    public void Utility_vm_files_that_is_a_file_is_an_unexpected_mode()
    {
        string layer = NewLayer("uvm-file");
        Directory.CreateDirectory(Path.Combine(layer, "UtilityVM"));
        File.WriteAllText(Path.Combine(layer, "UtilityVM", "Files"), "x");
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal(
            $"hcsshim::ConvertToBaseLayer - failed failed in Win32: {Path.Combine(layer, "UtilityVM", "Files")} has unexpected file mode -rw-rw-rw- (0x1f)",
            e.Message);
    }

    [ContractFact]
    public void Config_component_that_is_a_file_fails_without_calling_offreg()
    {
        string layer = NewLayer("config-file");
        Directory.CreateDirectory(Path.Combine(layer, "Files", "Windows", "System32"));
        File.WriteAllText(Config(layer), "not a folder");
        using var recorder = new ActivityRecorder();
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal($"hcsshim::ConvertToBaseLayer - failed failed in Win32: mkdir {Config(layer)}: not a directory (0x10b)", e.Message);
        Assert.IsType<LayerPathException>(e.InnerException);
        Assert.Empty(_double.Lines);
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, recorder.Single("hcsshim::ConvertToBaseLayer").Status);
    }

    [ContractFact]
    public void Hive_that_is_a_folder_is_an_error()
    {
        string layer = NewLayer("hive-folder");
        Directory.CreateDirectory(Path.Combine(Config(layer), "DEFAULT"));
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal(
            $"hcsshim::ConvertToBaseLayer - failed failed in Win32: accessing Files\\Windows\\System32\\config\\DEFAULT: {Path.Combine(Config(layer), "DEFAULT")} has unexpected file mode drwxrwxrwx (0x1f)",
            e.Message);
        Assert.Empty(_double.Lines);
    }

    [ContractFact]
    public void Save_failure_is_reported_with_its_code_and_the_hive_is_still_closed()
    {
        string layer = NewLayer("save-fails");
        _double.SetResult("ORSaveHive", 5);
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal("hcsshim::ConvertToBaseLayer - failed failed in Win32: saving hive: Access is denied. (0x5)", e.Message);
        Assert.Equal(5, e.ErrorCode);
        Assert.Equal(["RtlGetVersion size=284", .. HiveCalls(layer, ["DEFAULT"])], _double.Lines);
    }

    [ContractFact]
    public void Create_and_close_failures_have_their_prefixes()
    {
        string layer = NewLayer("create-fails");
        _double.SetResult("ORCreateHive", 8);
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal("hcsshim::ConvertToBaseLayer - failed failed in Win32: creating hive: " + Win32Error.GetMessage(8) + " (0x8)", e.Message);
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("ORSaveHive", StringComparison.Ordinal) || l.StartsWith("ORCloseHive", StringComparison.Ordinal));

        _double.Reset();
        _double.SetResult("ORCloseHive", 6);
        e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal("hcsshim::ConvertToBaseLayer - failed failed in Win32: closing hive key: The handle is invalid. (0x6)", e.Message);
    }

    [ContractFact]
    public void Version_query_failure_has_no_win32_code()
    {
        string layer = NewLayer("no-version");
        _double.SetResult("RtlGetVersion", unchecked((int)0xC0000001));
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal("hcsshim::ConvertToBaseLayer - failed failed in Win32: failed to get OS version (0x1f)", e.Message);
    }

    [ContractFact]
    public void Missing_offreg_dll_is_the_dll_error_passed_through()
    {
        string layer = NewLayer("no-offreg");
        VmComputeDouble.OffregMissing = true;
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal("creating hive: Failed to load offreg.dll: The specified module could not be found.", e.Message);
        var dll = Assert.IsType<HcsDllException>(e.InnerException);
        Assert.Equal("offreg.dll", dll.DllName);
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("OR", StringComparison.Ordinal));
    }

    [ContractFact]
    public void Process_failure_keeps_its_code_and_a_missing_folder_fails_to_open()
    {
        string layer = NewLayer("process-fails");
        _double.SetResult("ProcessBaseImage", 0x80070005u);
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.Equal($"hcsshim::ConvertToBaseLayer - failed failed in Win32: hcsshim::ProcessBaseLayer {layer}: Access is denied. (0x5)", e.Message);

        _double.Reset();
        e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(Path.Combine(_folder, "missing")));
        Assert.StartsWith("hcsshim::ConvertToBaseLayer - failed failed in Win32: open ", e.Message, StringComparison.Ordinal);
        Assert.Empty(_double.Lines);
    }
}
