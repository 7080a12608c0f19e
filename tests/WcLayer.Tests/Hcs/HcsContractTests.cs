// Contract tests: they exercise the Windows-only HCS backend's marshalling against a native double of vmcompute.dll
// built from native/vmcompute_double.c, so they run on any OS. CA1416 is about calling Windows-only APIs off Windows,
// which is exactly what these tests do on purpose.
#pragma warning disable CA1416

using System.Diagnostics;
using WcLayer.Hcs;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed class HcsContractTests : IDisposable
{
    private const string Info = "info={1,\"\"}";
    private readonly VmComputeDouble _double;
    private readonly HcsLayerStore _store = new();

    public HcsContractTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose() => _double.Reset();

    private string Id(string name) => _store.NameToGuid(name).ToString();

    [ContractFact]
    public void ActivateLayer_passes_the_standard_driver_info_and_the_full_path_as_utf16()
    {
        _store.ActivateLayer(@"C:\layers\é-中文-😀");
        Assert.Equal($"ActivateLayer {Info} id=\"C:\\layers\\é-中文-😀\"\n", _double.Log);
    }

    [ContractTheory]
    [InlineData("DeactivateLayer")]
    [InlineData("DestroyLayer")]
    [InlineData("UnprepareLayer")]
    public void Single_path_operations_call_their_export(string export)
    {
        Action<string> operation = export switch
        {
            "DeactivateLayer" => _store.DeactivateLayer,
            "DestroyLayer" => _store.DestroyLayer,
            _ => _store.UnprepareLayer,
        };
        operation(@"C:\l\x");
        Assert.Equal($"{export} {Info} id=\"C:\\l\\x\"\n", _double.Log);

        _double.Reset();
        _double.SetResult(export, 0x80070005u);
        var e = Assert.Throws<HcsException>(() => operation(@"C:\l\x"));
        Assert.Equal($"hcsshim::{export} failed in Win32: Access is denied. (0x5): C:\\l\\x", e.Message);
    }

    [ContractFact]
    public void DeactivateLayer_title_is_fixed_not_hcsshims_double_failed()
    {
        _double.SetResult("DeactivateLayer", 0x80070003u);
        var e = Assert.Throws<HcsException>(() => _store.DeactivateLayer(@"C:\l\x"));
        Assert.StartsWith("hcsshim::DeactivateLayer failed in Win32: The system cannot find the path specified. (0x3)", e.Message, StringComparison.Ordinal);
        Assert.Equal("hcsshim::DeactivateLayer", e.Operation);
    }

    [ContractFact]
    public void CreateLayer_passes_parent_verbatim()
    {
        _store.CreateLayer(@"C:\l\new", "parentid");
        Assert.Equal($"CreateLayer {Info} id=\"C:\\l\\new\" parent=\"parentid\"\n", _double.Log);
    }

    [ContractFact]
    public void CreateScratchLayer_passes_null_parent_id_and_descriptors_in_caller_order()
    {
        string top = Id("top"), baseId = Id("base");
        _double.Reset();
        _store.CreateScratchLayer(@"C:\l\scratch", [@"C:\l\top", @"D:/other/base"]);
        Assert.Equal(
            [
                "NameToGuid name=\"top\"",
                "NameToGuid name=\"base\"",
                $"CreateSandboxLayer {Info} id=\"C:\\l\\scratch\" parentId=NULL layers=[{{id={top},flags=0x0,path=\"C:\\l\\top\"}},{{id={baseId},flags=0x0,path=\"D:/other/base\"}}] count=2",
            ],
            _double.Lines);
    }

    [ContractFact]
    public void Empty_parent_list_is_a_null_array_and_count_zero()
    {
        _store.CreateScratchLayer(@"C:\l\scratch", []);
        Assert.Equal($"CreateSandboxLayer {Info} id=\"C:\\l\\scratch\" parentId=NULL layers=NULL count=0\n", _double.Log);
    }

    [ContractFact]
    public void ImportLayer_enables_backup_restore_security_on_the_thread_around_the_call()
    {
        string parent = Id("p");
        _double.Reset();
        _store.ImportLayer(@"C:\l\new", @"C:\tmp\hcs1", [@"C:\l\p"]);
        Assert.Equal(
            [
                "NameToGuid name=\"p\"",
                "LookupPrivilegeValueW system=NULL name=\"SeBackupPrivilege\"",
                "LookupPrivilegeValueW system=NULL name=\"SeRestorePrivilege\"",
                "LookupPrivilegeValueW system=NULL name=\"SeSecurityPrivilege\"",
                "ImpersonateSelf level=2",
                "OpenThreadToken thread=-2 access=0x28 openAsSelf=0",
                "AdjustTokenPrivileges token=0x3003 disableAll=0 count=1 luid=17:0 attributes=0x2 length=16 previous=NULL returned=NULL",
                "AdjustTokenPrivileges token=0x3003 disableAll=0 count=1 luid=18:0 attributes=0x2 length=16 previous=NULL returned=NULL",
                "AdjustTokenPrivileges token=0x3003 disableAll=0 count=1 luid=8:0 attributes=0x2 length=16 previous=NULL returned=NULL",
                "CloseHandle handle=0x3003",
                $"ImportLayer {Info} id=\"C:\\l\\new\" importFolderPath=\"C:\\tmp\\hcs1\" layers=[{{id={parent},flags=0x0,path=\"C:\\l\\p\"}}] count=1",
                "RevertToSelf",
            ],
            _double.Lines);
    }

    [ContractFact]
    public void ExportLayer_enables_backup_only()
    {
        _store.ExportLayer(@"C:\l\a", @"C:\tmp\out", []);
        string[] lines = _double.Lines;
        Assert.Equal("LookupPrivilegeValueW system=NULL name=\"SeBackupPrivilege\"", lines[0]);
        Assert.Single(lines, l => l.StartsWith("AdjustTokenPrivileges", StringComparison.Ordinal));
        Assert.Equal($"ExportLayer {Info} id=\"C:\\l\\a\" exportFolderPath=\"C:\\tmp\\out\" layers=NULL count=0", lines[^2]);
        Assert.Equal("RevertToSelf", lines[^1]);
    }

    [ContractFact]
    public void A_privilege_the_token_lacks_is_skipped_and_the_import_still_runs()
    {
        // A Backup Operators token: backup and restore, no SeSecurityPrivilege. hcsshim enables nothing and requires
        // nothing, so the import must be attempted (issue 12, item 6).
        _double.SetMissingPrivilege(8);
        _store.ImportLayer(@"C:\l\new", @"C:\tmp\i", []);
        string[] lines = _double.Lines;
        Assert.Equal(3, lines.Count(l => l.StartsWith("AdjustTokenPrivileges", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("ImportLayer", StringComparison.Ordinal));
        Assert.Equal("RevertToSelf", lines[^1]);
    }

    [ContractFact]
    public void A_token_without_any_of_the_privileges_still_exports_and_the_skip_is_named_on_the_activity()
    {
        _double.SetMissingPrivilege(17);
        using var recorder = new ActivityRecorder();
        _store.ExportLayer(@"C:\l\a", @"C:\tmp\out", []);
        Assert.Contains(_double.Lines, l => l.StartsWith("ExportLayer", StringComparison.Ordinal));
        Activity export = recorder.Single("hcsshim::ExportLayer");
        ActivityEvent skipped = Assert.Single(export.Events, e => e.Name == "privilege not held");
        Assert.Equal("SeBackupPrivilege", skipped.Tags.Single(t => t.Key == "privilege").Value);
        Assert.Equal(ActivityStatusCode.Unset, export.Status);
    }

    [ContractFact]
    public void The_thread_reverts_even_when_the_import_fails()
    {
        _double.SetResult("ImportLayer", 0x80070005u);
        Assert.Throws<HcsException>(() => _store.ImportLayer(@"C:\l\new", @"C:\tmp\i", []));
        Assert.Equal("RevertToSelf", _double.Lines[^1]);
    }

    [ContractFact]
    public void A_failed_impersonation_is_reported_and_nothing_runs()
    {
        _double.SetResult("ImpersonateSelf", 0);
        _double.SetLastError("ImpersonateSelf", Win32Error.AccessDenied);
        var e = Assert.Throws<HcsException>(() => _store.ExportLayer(@"C:\l\a", @"C:\tmp\o", []));
        Assert.Equal("ImpersonateSelf: Access is denied.", e.Message);
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("ExportLayer", StringComparison.Ordinal) || l == "RevertToSelf");
    }

    [ContractFact]
    public void GetLayerMountPath_uses_the_two_call_protocol_in_characters()
    {
        const string Volume = @"\\?\Volume{7d6e2a3c-0000-0000-0000-100000000000}\é😀";
        _double.SetMountPath(Volume);
        Assert.Equal(Volume, _store.GetLayerMountPath(@"C:\l\s"));
        Assert.Equal(
            [
                $"GetLayerMountPath {Info} id=\"C:\\l\\s\" length=0 buffer=NULL",
                $"GetLayerMountPath {Info} id=\"C:\\l\\s\" length={Volume.Length + 1} buffer=zeroed",
            ],
            _double.Lines);
    }

    [ContractFact]
    public void GetLayerMountPath_length_zero_is_empty_after_one_call()
    {
        Assert.Equal(string.Empty, _store.GetLayerMountPath(@"C:\l\s"));
        Assert.Single(_double.Lines);
    }

    [ContractTheory]
    [InlineData("GetLayerMountPath#1", "(first call)")]
    [InlineData("GetLayerMountPath#2", "(second call)")]
    public void GetLayerMountPath_failures_say_which_call(string which, string detail)
    {
        _double.SetMountPath(@"C:\l\s");
        _double.SetResult(which, 0x80070015u);
        var e = Assert.Throws<HcsException>(() => _store.GetLayerMountPath(@"C:\l\s"));
        Assert.Equal($"hcsshim::GetLayerMountPath failed in Win32: The device is not ready. (0x15) {detail}: C:\\l\\s", e.Message);
        Assert.Equal(detail, e.Detail);
    }

    [ContractFact]
    public void GetSharedBaseImages_reads_and_frees_the_string_once()
    {
        _double.SetBaseImages("{\"Images\":[\"é😀\"]}");
        Assert.Equal("{\"Images\":[\"é😀\"]}", _store.GetSharedBaseImages());
        Assert.Equal(["GetBaseImages buffer=NULL-initialized", "CoTaskMemFree last-allocation"], _double.Lines);
        Assert.Equal(1, _double.AllocCount);
        Assert.Equal(1, _double.FreeCount);
    }

    [ContractFact]
    public void GetSharedBaseImages_null_is_empty_and_nothing_is_freed()
    {
        Assert.Equal(string.Empty, _store.GetSharedBaseImages());
        Assert.Equal(["GetBaseImages buffer=NULL-initialized"], _double.Lines);
    }

    [ContractFact]
    public void GetSharedBaseImages_failure()
    {
        _double.SetResult("GetBaseImages", 0x80070005u);
        var e = Assert.Throws<HcsException>(() => _store.GetSharedBaseImages());
        Assert.Equal("hcsshim::GetSharedBaseImages failed in Win32: Access is denied. (0x5)", e.Message);
        Assert.Equal(0, _double.FreeCount);
    }

    [ContractFact]
    public void GrantVmAccess_passes_vm_id_and_file()
    {
        _store.GrantVmAccess("a1b2", @"C:\l\s\sandbox.vhdx");
        Assert.Equal("GrantVmAccess vmId=\"a1b2\" filePath=\"C:\\l\\s\\sandbox.vhdx\"\n", _double.Log);
    }

    [ContractTheory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, true)]
    public void LayerExists_reads_a_32_bit_bool(long exists, bool expected)
    {
        _double.SetResult("LayerExists.exists", exists);
        Assert.Equal(expected, _store.LayerExists(@"C:\l\x"));
        Assert.Equal($"LayerExists {Info} id=\"C:\\l\\x\"\n", _double.Log);
    }

    [ContractFact]
    public void LayerExists_failure()
    {
        _double.SetResult("LayerExists", 0x80070002u);
        var e = Assert.Throws<HcsException>(() => _store.LayerExists(@"C:\l\x"));
        Assert.Equal(Win32Error.FileNotFound, e.ErrorCode);
    }

    [ContractTheory]
    [InlineData(@"C:\layers\abc", "abc")]
    [InlineData(@"C:\layers\abc\", "")]
    [InlineData("C:/layers/abc", "abc")]
    [InlineData(@"C:\layers/abc", "abc")]
    [InlineData("C:abc", "abc")]
    [InlineData("C:", "")]
    [InlineData("abc", "abc")]
    [InlineData(@"\\server\share", "")]
    [InlineData(@"\\server\share\layer", "layer")]
    [InlineData(@"\\?\C:\l\x", "x")]
    [InlineData(@"C:\test1\4", "4")]
    public void LayerId_hashes_the_base_name_as_go_filepath_split(string path, string name)
    {
        Guid expected = _store.NameToGuid(name);
        _double.Reset();
        Assert.Equal(expected, _store.LayerId(path));
        Assert.Equal($"NameToGuid name=\"{name}\"\n", _double.Log);
    }

    [ContractFact]
    public void NameToGuid_reads_the_windows_guid_layout()
    {
        _double.SetGuid(new Guid("01020304-0506-0708-090a-0b0c0d0e0f10"));
        Assert.Equal("01020304-0506-0708-090a-0b0c0d0e0f10", _store.NameToGuid("x").ToString());
    }

    [ContractFact]
    public void NameToGuid_failure_is_titled_and_returned_unwrapped_by_descriptor_building()
    {
        _double.SetResult("NameToGuid", 0x80070057u);
        var e = Assert.Throws<HcsException>(() => _store.PrepareLayer(@"C:\l\s", [@"C:\l\p"]));
        Assert.Equal("hcsshim::NameToGuid", e.Operation);
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("PrepareLayer", StringComparison.Ordinal));
    }

    [ContractFact]
    public void PrepareLayer_passes_descriptors_and_is_serialized_process_wide()
    {
        string parent = Id("p");
        _double.Reset();
        _store.PrepareLayer(@"C:\l\s", [@"C:\l\p"]);
        Assert.Equal(["NameToGuid name=\"p\"", $"PrepareLayer {Info} id=\"C:\\l\\s\" layers=[{{id={parent},flags=0x0,path=\"C:\\l\\p\"}}] count=1"], _double.Lines);

        Parallel.For(0, 16, i => new HcsLayerStore().PrepareLayer(@"C:\l\s" + i, [@"C:\l\p"]));
        Assert.Equal(1, _double.MaxConcurrentPrepare);
    }

    [ContractTheory]
    [InlineData("ProcessBaseLayer", "ProcessBaseImage")]
    [InlineData("ProcessUtilityVMImage", "ProcessUtilityImage")]
    public void Process_image_calls_and_path_error_shape(string operation, string export)
    {
        Action<string> call = operation == "ProcessBaseLayer" ? _store.ProcessBaseLayer : _store.ProcessUtilityVMImage;
        call(@"\\?\C:\l\base");
        Assert.Equal($"{export} path=\"\\\\?\\C:\\l\\base\"\n", _double.Log);

        _double.SetResult(export, 0x80070003u);
        var e = Assert.Throws<HcsException>(() => call(@"C:\l\base"));
        Assert.Equal($"hcsshim::{operation} C:\\l\\base: The system cannot find the path specified.", e.Message);
        Assert.Equal(Win32Error.PathNotFound, e.ErrorCode);
    }

    [ContractFact]
    public void Win32_hresult_becomes_hcsshim_message()
    {
        _double.SetResult("ImportLayer", 0x80070003u);
        var e = Assert.Throws<HcsException>(() => _store.ImportLayer(@"C:\l\a", @"C:\tmp\i", []));
        Assert.Equal(@"hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3): C:\l\a", e.Message);
        Assert.Equal(3, e.ErrorCode);
        Assert.Equal(unchecked((int)0x80070003), e.HResult);
        Assert.Equal(@"C:\l\a", e.LayerPath);
    }

    [ContractFact]
    public void An_hcs_hresult_prints_the_system_message_as_go_does()
    {
        // Go's Errno.Error: FormatMessageW from the system table, en-US first, trailing CR LF trimmed (issue 12, item 9).
        _double.SetMessage(0xC0370103, 0x409, "The requested operation is not valid in the current state.");
        _double.SetResult("ImportLayer", 0xC0370103u);
        var e = Assert.Throws<HcsException>(() => _store.ImportLayer(@"C:\l\a", @"C:\tmp\i", []));
        Assert.Equal(@"hcsshim::ImportLayer failed in Win32: The requested operation is not valid in the current state. (0xc0370103): C:\l\a", e.Message);
        Assert.Equal("flags=0x3200 source=NULL id=0xc0370103 language=0x409 size=300 arguments=NULL", _double.FormatCalls[0]);
    }

    [ContractFact]
    public void Without_an_english_text_the_default_language_is_used_then_the_table()
    {
        _double.SetMessage(0xC0370104, 0, "Texte localisé.");
        _double.SetResult("ActivateLayer", 0xC0370104u);
        var e = Assert.Throws<HcsException>(() => _store.ActivateLayer(@"C:\l\a"));
        Assert.Equal(@"hcsshim::ActivateLayer failed in Win32: Texte localisé. (0xc0370104): C:\l\a", e.Message);
        Assert.Equal(["language=0x409", "language=0x0"], _double.FormatCalls.Select(c => c.Split(' ')[3]));

        // A path error (ProcessBaseLayer) embeds the same text.
        _double.SetResult("ProcessBaseImage", 0xC0370104u);
        var path = Assert.Throws<HcsException>(() => _store.ProcessBaseLayer(@"C:\l\a"));
        Assert.Equal(@"hcsshim::ProcessBaseLayer C:\l\a: Texte localisé.", path.Message);
    }

    [ContractFact]
    public void Non_win32_hresult_keeps_the_whole_code()
    {
        _double.SetResult("ImportLayer", 0xC0370103u);
        var e = Assert.Throws<HcsException>(() => _store.ImportLayer(@"C:\l\a", @"C:\tmp\i", []));
        Assert.Equal(@"hcsshim::ImportLayer failed in Win32: winapi error #3224830211 (0xc0370103): C:\l\a", e.Message);
        Assert.Equal(unchecked((int)0xC0370103), e.HResult);
    }

    [ContractTheory]
    [InlineData(1L)]
    [InlineData(0x12345L)]
    public void Positive_hresults_are_success(long hresult)
    {
        _double.SetResult("ActivateLayer", hresult);
        _store.ActivateLayer(@"C:\l\a");
    }

    [ContractFact]
    public void Nul_in_a_path_fails_before_the_call_with_gos_einval()
    {
        var e = Assert.Throws<HcsException>(() => _store.ActivateLayer("C:\\l\\a\0b"));
        Assert.Equal(HcsErrors.GoInvalidArgument, e.ErrorCode);
        Assert.Equal("hcsshim::ActivateLayer failed in Win32: invalid argument (0x20000027): C:\\l\\a\0b", e.Message);
        Assert.Equal(string.Empty, _double.Log);

        var path = Assert.Throws<HcsException>(() => _store.ProcessBaseLayer("C:\\l\0"));
        Assert.Equal("hcsshim::ProcessBaseLayer C:\\l\0: invalid argument", path.Message);

        Assert.Throws<HcsException>(() => _store.ImportLayer(@"C:\l\a", "C:\\tmp\0", []));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("ImportLayer", StringComparison.Ordinal));
    }

    [ContractFact]
    public void Nul_in_a_parent_path_fails_before_the_call()
    {
        // As hcsshim: the layer id comes first, so a NUL in the base name fails in NameToGuid ...
        var e = Assert.Throws<HcsException>(() => _store.PrepareLayer(@"C:\l\s", ["C:\\l\\p\0x"]));
        Assert.Equal(HcsErrors.GoInvalidArgument, e.ErrorCode);
        Assert.Equal("hcsshim::NameToGuid", e.Operation);
        Assert.Equal("hcsshim::NameToGuid failed in Win32: invalid argument (0x20000027): p\0x", e.Message);

        // ... and one elsewhere in the path when the path itself is converted: hcsshim returns Go's EINVAL bare.
        e = Assert.Throws<HcsException>(() => _store.PrepareLayer(@"C:\l\s", ["C:\\l\0\\p"]));
        Assert.Equal(HcsErrors.GoInvalidArgument, e.ErrorCode);
        Assert.Equal("hcsshim::PrepareLayer", e.Operation);
        Assert.Equal("invalid argument", e.Message);
        Assert.Equal("NameToGuid name=\"p\"\n", _double.Log);
    }

    [ContractFact]
    public void Missing_export_is_the_lazy_load_error()
    {
        VmComputeDouble.Mode = DoubleMode.WithoutGrantVmAccess;
        var e = Assert.Throws<HcsDllException>(() => _store.GrantVmAccess("vm", @"C:\f"));
        Assert.Equal("Failed to find GrantVmAccess procedure in vmcompute.dll: The specified procedure could not be found.", e.Message);
        Assert.Equal("GrantVmAccess", e.ProcedureName);
        Assert.Equal(string.Empty, _double.Log);
    }

    [ContractFact]
    public void Missing_dll_is_the_lazy_load_error()
    {
        VmComputeDouble.Mode = DoubleMode.Missing;
        var e = Assert.Throws<HcsDllException>(() => _store.ActivateLayer(@"C:\l\a"));
        Assert.Equal("Failed to load vmcompute.dll: The specified module could not be found.", e.Message);
        Assert.Null(e.ProcedureName);

        var wrapped = Assert.Throws<HcsException>(() => _store.ProcessBaseLayer(@"C:\l\a"));
        Assert.Equal(@"hcsshim::ProcessBaseLayer C:\l\a: Failed to load vmcompute.dll: The specified module could not be found.", wrapped.Message);
        Assert.IsType<HcsDllException>(wrapped.InnerException);
        Assert.Equal(string.Empty, _double.Log);
    }
}
