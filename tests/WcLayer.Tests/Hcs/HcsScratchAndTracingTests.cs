// Contract tests against the native vmcompute double (see VmComputeDouble); CA1416 is suppressed because they call
// the Windows-only backend off Windows on purpose, to check its marshalling.
#pragma warning disable CA1416

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WcLayer.Hcs;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed class HcsScratchAndTracingTests : IDisposable
{
    private const string Info = "info={1,\"\"}";
    private const string Volume = @"\\?\Volume{0d1e2f30-0000-0000-0000-100000000000}";
    private const long GiB = 1L << 30;
    private readonly VmComputeDouble _double;
    private readonly HcsLayerStore _store = new();

    public HcsScratchAndTracingTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose() => _double.Reset();

    [ContractFact]
    public void ExpandScratchSize_attaches_the_vhd_and_extends_the_volume()
    {
        _double.SetMountPath(Volume + "\\");
        _double.SetDisk(partitionSize: 20 * GiB, totalBytes: 10 * GiB);
        _store.ExpandScratchSize(@"C:\l\s", 20UL * (ulong)GiB);
        long sectors = 20 * GiB / 4096 * 8;
        Assert.Equal(
            [
                $"ExpandSandboxSize {Info} id=\"C:\\l\\s\" size={20 * GiB}",
                "OpenVirtualDisk type={0,00000000-0000-0000-0000-000000000000} path=\"C:\\l\\s\\sandbox.vhdx\" access=0x0 flags=0x0 params={v2,getInfoOnly=0,readOnly=0,00000000-0000-0000-0000-000000000000}",
                "AttachVirtualDisk handle=0x1001 sd=NULL flags=0x20 providerFlags=0x0 params=NULL overlapped=NULL",
                $"GetLayerMountPath {Info} id=\"C:\\l\\s\" length=0 buffer=NULL",
                $"GetLayerMountPath {Info} id=\"C:\\l\\s\" length={Volume.Length + 2} buffer=zeroed",
                $"CreateFileW name=\"{Volume}\" access=0xc0000000 share=0x3 sa=NULL disposition=3 flags=0x0 template=NULL",
                "DeviceIoControl handle=0x2002 code=0x7405c inSize=0 outSize=8 returned=set overlapped=NULL",
                $"GetDiskFreeSpaceExW dir=\"{Volume}\\\" freeToCaller=NULL total=set totalFree=NULL",
                $"DeviceIoControl handle=0x2002 code=0x900f0 inSize=8 in={sectors} outSize=0 returned=set overlapped=NULL",
                "CloseHandle handle=0x2002",
                "CloseHandle handle=0x1001",
            ],
            _double.Lines);
    }

    [ContractFact]
    public void ExpandScratchSize_does_not_extend_a_volume_that_already_fills_the_partition()
    {
        _double.SetMountPath(Volume + "\\");
        _double.SetDisk(partitionSize: 20 * GiB, totalBytes: 20 * GiB - 4096);
        _store.ExpandScratchSize(@"C:\l\s", 20UL * (ulong)GiB);
        Assert.DoesNotContain(_double.Lines, l => l.Contains("code=0x900f0", StringComparison.Ordinal));
    }

    [ContractFact]
    public void ExpandScratchSize_empty_mount_path_is_an_error_and_detaches()
    {
        var e = Assert.Throws<HcsException>(() => _store.ExpandScratchSize(@"C:\l\s", 1));
        Assert.Equal(@"GetLayerMountPath C:\l\s: The device is not ready.", e.Message);
        Assert.Equal("CloseHandle handle=0x1001", _double.Lines[^1]);
    }

    [ContractFact]
    public void ExpandScratchSize_reports_the_returned_open_code()
    {
        _double.SetResult("OpenVirtualDisk", 2);
        var e = Assert.Throws<HcsException>(() => _store.ExpandScratchSize(@"C:\l\s\", 1));
        Assert.Equal(@"OpenVirtualDisk C:\l\s\sandbox.vhdx: OpenVirtualDisk C:\l\s\sandbox.vhdx: The system cannot find the file specified.", e.Message);
        Assert.Equal(Win32Error.FileNotFound, e.ErrorCode);
    }

    [ContractFact]
    public void ExpandScratchSize_attach_failure_is_wrapped_twice_and_closes_the_disk()
    {
        _double.SetResult("AttachVirtualDisk", 5);
        var e = Assert.Throws<HcsException>(() => _store.ExpandScratchSize(@"C:\l\s", 1));
        Assert.Equal(@"OpenVirtualDisk C:\l\s\sandbox.vhdx: AttachVirtualDisk C:\l\s\sandbox.vhdx: failed to attach virtual disk: Access is denied.", e.Message);
        Assert.Equal("CloseHandle handle=0x1001", _double.Lines[^1]);
    }

    [ContractTheory]
    [InlineData("DeviceIoControl#0x7405c", "IOCTL_DISK_GET_LENGTH_INFO")]
    [InlineData("GetDiskFreeSpaceExW", "GetDiskFreeSpaceEx")]
    [InlineData("DeviceIoControl#0x900f0", "FSCTL_EXTEND_VOLUME")]
    public void ExpandScratchSize_volume_step_errors_use_the_last_error(string export, string operation)
    {
        _double.SetMountPath(Volume + "\\");
        _double.SetDisk(partitionSize: 20 * GiB, totalBytes: 10 * GiB);
        _double.SetResult(export, 0);
        _double.SetLastError(export, 87);
        var e = Assert.Throws<HcsException>(() => _store.ExpandScratchSize(@"C:\l\s", 1));
        Assert.Equal($"{operation} {Volume}: The parameter is incorrect.", e.Message);
        Assert.Contains("CloseHandle handle=0x2002", _double.Lines);
        Assert.Equal("CloseHandle handle=0x1001", _double.Lines[^1]);
    }

    [ContractFact]
    public void Operations_trace_hcsshim_spans_with_attributes_and_leave_success_unset()
    {
        using var recorder = new ActivityRecorder();
        _store.ImportLayer(@"C:\l\trace-import", @"C:\tmp\i", [@"C:\l\p1", @"C:\l\p2"]);
        Activity import = recorder.Single("hcsshim::ImportLayer");
        Assert.Equal(@"C:\l\trace-import", import.GetTagItem("path"));
        Assert.Equal(@"C:\tmp\i", import.GetTagItem("importFolderPath"));
        Assert.Equal(@"C:\l\p1, C:\l\p2", import.GetTagItem("parentLayerPaths"));
        Assert.Equal(ActivityStatusCode.Unset, import.Status);

        Activity layerId = Assert.Single(recorder.Stopped, a => a.OperationName == "hcsshim::LayerID" && (string?)a.GetTagItem("path") == @"C:\l\p1");
        Activity nameToGuid = Assert.Single(recorder.Stopped, a => a.OperationName == "hcsshim::NameToGuid" && a.ParentSpanId == layerId.SpanId);
        Assert.Equal("p1", nameToGuid.GetTagItem("objectName"));
        Assert.Equal(_store.NameToGuid("p1").ToString(), nameToGuid.GetTagItem("guid"));
    }

    [ContractFact]
    public void Failures_set_status_error_with_the_message()
    {
        using var recorder = new ActivityRecorder();
        _double.SetResult("ActivateLayer", 0x80070003u);
        var e = Assert.Throws<HcsException>(() => _store.ActivateLayer(@"C:\l\trace-fail"));
        Activity activity = recorder.Single("hcsshim::ActivateLayer");
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Equal(e.Message, activity.StatusDescription);
    }

    [ContractFact]
    public void Result_attributes_are_recorded()
    {
        using var recorder = new ActivityRecorder();
        _double.SetMountPath(@"C:\l\ro");
        _double.SetBaseImages("{}");
        _double.SetResult("LayerExists.exists", 1);
        _store.GetLayerMountPath(@"C:\l\ro");
        _store.GetSharedBaseImages();
        _store.LayerExists(@"C:\l\ro");
        _store.ExpandScratchSize(@"C:\l\ro", 5);
        _store.GrantVmAccess("vm1", @"C:\f");
        Assert.Equal(@"C:\l\ro", recorder.Stopped.First(a => a.OperationName == "hcsshim::GetLayerMountPath").GetTagItem("mountPath"));
        Assert.Equal("{}", recorder.Single("hcsshim::GetSharedBaseImages").GetTagItem("imageData"));
        Assert.Equal(true, recorder.Single("hcsshim::LayerExists").GetTagItem("layer-exists"));
        Assert.Equal(5L, recorder.Single("hcsshim::ExpandScratchSize").GetTagItem("size"));
        Assert.Equal("vm1", recorder.Single("hcsshim::GrantVmAccess").GetTagItem("vm-id"));
    }

    [ContractFact]
    public void NewLayerReader_exports_into_a_temp_folder_that_lives_until_dispose()
    {
        string? seen = null;
        var store = new HcsLayerStore(path =>
        {
            seen = path;
            Assert.True(Directory.Exists(path));
            return new EmptyReader();
        });
        using var recorder = new ActivityRecorder();
        ILayerReader reader = store.NewLayerReader(@"C:\l\r", [@"C:\l\p"]);
        Assert.NotNull(seen);
        Assert.StartsWith("hcs", Path.GetFileName(seen), StringComparison.Ordinal);
        Assert.Contains(_double.Lines, l => l.StartsWith($"ExportLayer {Info} id=\"C:\\l\\r\" exportFolderPath=\"{seen}\" layers=[", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Stopped, a => a.OperationName == "hcsshim::NewLayerReader");
        Assert.Null(reader.Next());
        reader.Dispose();
        Assert.False(Directory.Exists(seen));
        recorder.Single("hcsshim::NewLayerReader");
    }

    [ContractFact]
    public void NewLayerReader_export_failure_removes_the_temp_folder()
    {
        string? folder = null;
        _double.SetResult("ExportLayer", 0x80070002u);
        var store = new HcsLayerStore(_ => new EmptyReader());
        Assert.Throws<HcsException>(() => store.NewLayerReader(@"C:\l\r", [@"C:\l\p"]));
        folder = _double.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, "exportFolderPath=\"([^\"]*)\"")).First(m => m.Success).Groups[1].Value;
        Assert.False(Directory.Exists(folder));
    }

    [ContractFact]
    public void NewLayerReader_reads_the_export_folder_with_the_transport_reader()
    {
        // The double's ExportLayer writes nothing, so the transport reader finds no tombstones.txt, which an HCS
        // export always has; the export folder is removed again.
        var e = Assert.Throws<LayerPathException>(() => new HcsLayerStore().NewLayerReader(@"C:\l\r", [@"C:\l\p"]));
        Assert.EndsWith("tombstones.txt", e.Path, StringComparison.Ordinal);
        Assert.Contains("ExportLayer", _double.Log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(e.Path)));
    }

    [ContractFact]
    public void Descriptor_layout_matches_the_native_struct()
    {
        Assert.Equal(IntPtr.Size == 8 ? 32 : 24, Unsafe.SizeOf<WcLayerDescriptor>());
        Assert.Equal(16, (int)Marshal.OffsetOf<WcLayerDescriptor>(nameof(WcLayerDescriptor.Flags)));
        Assert.Equal(IntPtr.Size == 8 ? 24 : 20, (int)Marshal.OffsetOf<WcLayerDescriptor>(nameof(WcLayerDescriptor.Path)));
        var descriptor = new WcLayerDescriptor { Flags = 1 };
        descriptor.Dirty = true;
        Assert.Equal(0x8000_0001u, descriptor.Flags);
        descriptor.Dirty = false;
        Assert.Equal(1u, descriptor.Flags);
    }

    private sealed class EmptyReader : ILayerReader
    {
        public LayerEntry? Next() => null;

        public int Read(Span<byte> buffer) => 0;

        public LayerLinkInfo GetLinkInfo() => throw new InvalidOperationException("no current entry");

        public void Dispose()
        {
        }
    }
}
