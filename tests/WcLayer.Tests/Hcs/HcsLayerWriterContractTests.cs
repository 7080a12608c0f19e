// Contract tests of HcsLayerStore.NewLayerWriter: off Windows the writers run over the Unix side of the file-system
// seam and the vmcompute double stands in for HCS, so the order and arguments of the HCS calls, the temp import
// folder's life and the rollback are checked here; the real NTFS side is in WindowsLayerRootTests. CA1416 is
// suppressed because the Windows-only backend is called off Windows on purpose.
#pragma warning disable CA1416

using WcLayer.Hcs;
using WcLayer.Win32;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed class HcsLayerWriterContractTests : IDisposable
{
    private static readonly FileBasicInfo Directory_ = new(1, 2, 3, 4, FileAttributes.Directory);
    private static readonly FileBasicInfo File_ = new(5, 6, 7, 8, FileAttributes.Archive);
    private readonly VmComputeDouble _double;
    private readonly HcsLayerStore _store = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("wclayer-writer-").FullName;

    public HcsLayerWriterContractTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose()
    {
        _double.Reset();
        Directory.Delete(_folder, recursive: true);
    }

    private string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;

    private static byte[] Data(string text)
    {
        using var stream = new MemoryStream();
        using (var writer = new BackupStreamWriter(stream, leaveOpen: true))
        {
            writer.WriteStream(BackupStreamId.Data, System.Text.Encoding.UTF8.GetBytes(text));
        }

        return stream.ToArray();
    }

    private static HashSet<string> HcsTempFolders() =>
        [.. Directory.GetDirectories(Path.GetTempPath(), "hcs*")];

    [ContractFact]
    public void Base_layer_is_written_in_place_then_processed_and_the_activity_ends_at_commit()
    {
        string layer = NewFolder("base");
        using var recorder = new ActivityRecorder();
        ILayerWriter writer = _store.NewLayerWriter(layer, []);
        writer.Add("Files", Directory_);
        writer.Add(@"Files\a.txt", File_);
        writer.Write(Data("hello"));
        writer.AddLink(@"Files\b.txt", @"Files\a.txt");
        Assert.DoesNotContain(recorder.Stopped, a => a.OperationName == "hcsshim::NewLayerWriter");
        writer.Commit();
        writer.Dispose();

        Assert.Equal("hello", File.ReadAllText(Path.Combine(layer, "Files", "a.txt")));
        Assert.Equal("hello", File.ReadAllText(Path.Combine(layer, "Files", "b.txt")));
        Assert.Equal([$"ProcessBaseImage path=\"{layer}\""], _double.Lines.Where(l => l.StartsWith("Process", StringComparison.Ordinal)));
        recorder.Single("hcsshim::NewLayerWriter");
        Assert.Equal(layer, recorder.Single("hcsshim::ProcessBaseLayer").GetTagItem("path"));
    }

    [ContractFact]
    public void Base_layer_with_a_utility_vm_processes_it_after_the_base()
    {
        string layer = NewFolder("base-uvm");
        using ILayerWriter writer = _store.NewLayerWriter(layer, []);
        writer.Add("Files", Directory_);
        writer.Add("UtilityVM", Directory_);
        writer.Add("UtilityVM/Files/", Directory_);
        writer.Commit();
        Assert.Equal(
            [$"ProcessBaseImage path=\"{layer}\"", $"ProcessUtilityImage path=\"{layer.Replace('/', '\\')}\\UtilityVM\""],
            _double.Lines.Where(l => l.StartsWith("Process", StringComparison.Ordinal)));
    }

    [ContractFact]
    public void Base_layer_refuses_tombstones_and_writes_without_an_entry()
    {
        string layer = NewFolder("base-bad");
        using ILayerWriter writer = _store.NewLayerWriter(layer, []);
        var e = Assert.Throws<InvalidDataException>(() => writer.Remove(@"Files\x"));
        Assert.StartsWith("base layer cannot have tombstones", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => writer.Write(Data("x")));
    }

    [ContractFact]
    public void Base_layer_disposed_without_commit_removes_what_it_wrote_and_processes_nothing()
    {
        string layer = NewFolder("base-abandoned");
        File.WriteAllText(Path.Combine(layer, "keep"), "not ours");
        ILayerWriter writer = _store.NewLayerWriter(layer, []);
        writer.Add("Files", Directory_);
        writer.Add(@"Files\a.txt", File_);
        writer.Write(Data("hello"));
        writer.Dispose();
        Assert.Equal([Path.Combine(layer, "keep")], Directory.GetFileSystemEntries(layer));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("Process", StringComparison.Ordinal));
        Assert.Throws<ObjectDisposedException>(() => writer.Add("Files", Directory_));
    }

    [ContractFact]
    public void Base_layer_failure_is_sticky_and_a_failed_process_rolls_back()
    {
        string layer = NewFolder("base-fail");
        using var recorder = new ActivityRecorder();
        ILayerWriter writer = _store.NewLayerWriter(layer, []);
        var missing = Assert.Throws<LayerPathException>(() => writer.Add(@"Files\a.txt", File_));
        Assert.True(missing.IsNotFound);
        Assert.Same(missing, Assert.Throws<LayerPathException>(() => writer.Add("Files", Directory_)));
        Assert.Same(missing, Assert.Throws<LayerPathException>(() => writer.Commit()));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("Process", StringComparison.Ordinal));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, recorder.Single("hcsshim::NewLayerWriter").Status);

        _double.SetResult("ProcessBaseImage", 0x80070005u);
        string other = NewFolder("base-fail-process");
        using ILayerWriter second = _store.NewLayerWriter(other, []);
        second.Add("Files", Directory_);
        Assert.Throws<HcsException>(() => second.Commit());
        Assert.Empty(Directory.GetFileSystemEntries(other));
    }

    [ContractFact]
    public void Base_layer_folder_must_exist()
    {
        using var recorder = new ActivityRecorder();
        var e = Assert.Throws<LayerPathException>(() => _store.NewLayerWriter(Path.Combine(_folder, "missing"), []));
        Assert.True(e.IsNotFound);
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, recorder.Single("hcsshim::NewLayerWriter").Status);
    }

    [ContractFact]
    public void Layer_with_parents_stages_an_import_folder_imports_it_then_applies_tombstones_and_removes_it()
    {
        string parent = NewFolder("parent");
        string layer = NewFolder("layer");

        // What HCS's ImportLayer would have materialized, for the post-import steps to find.
        Directory.CreateDirectory(Path.Combine(layer, "Files"));
        File.WriteAllText(Path.Combine(layer, "Files", "gone"), "deleted by the tombstone");

        using var recorder = new ActivityRecorder();
        ILayerWriter writer = _store.NewLayerWriter(layer, [parent]);
        string import = Assert.IsType<LegacyLayerWriter>(writer).ImportPath;
        Assert.StartsWith("hcs", Path.GetFileName(import), StringComparison.Ordinal);
        writer.Add("Files", Directory_);
        writer.Add(@"Files\new.txt", File_);
        writer.Write(Data("new"));
        writer.Remove(@"Files\gone");
        Assert.True(File.Exists(Path.Combine(import, "Files", "new.txt")));
        Assert.DoesNotContain(recorder.Stopped, a => a.OperationName == "hcsshim::NewLayerWriter");
        writer.Commit();
        writer.Dispose();

        string parentId = _store.NameToGuid("parent").ToString();
        Assert.Contains(
            $"ImportLayer info={{1,\"\"}} id=\"{layer}\" importFolderPath=\"{import}\" layers=[{{id={parentId},flags=0x0,path=\"{parent}\"}}] count=1",
            _double.Lines);
        Assert.False(Directory.Exists(import));
        Assert.False(File.Exists(Path.Combine(layer, "Files", "gone")));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("Process", StringComparison.Ordinal));
        recorder.Single("hcsshim::NewLayerWriter");
    }

    [ContractFact]
    public void Layer_with_parents_disposed_without_commit_imports_nothing_and_removes_the_import_folder()
    {
        string parent = NewFolder("parent2");
        string layer = NewFolder("layer2");
        ILayerWriter writer = _store.NewLayerWriter(layer, [parent]);
        string import = ((LegacyLayerWriter)writer).ImportPath;
        writer.Add("Files", Directory_);
        writer.Dispose();
        Assert.False(Directory.Exists(import));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("ImportLayer", StringComparison.Ordinal));
    }

    [ContractFact]
    public void Layer_with_parents_failed_import_removes_the_import_folder_and_marks_the_activity()
    {
        string parent = NewFolder("parent3");
        string layer = NewFolder("layer3");
        _double.SetResult("ImportLayer", 0x80070003u);
        using var recorder = new ActivityRecorder();
        ILayerWriter writer = _store.NewLayerWriter(layer, [parent]);
        string import = ((LegacyLayerWriter)writer).ImportPath;
        writer.Add("Files", Directory_);
        var e = Assert.Throws<HcsException>(() => writer.Commit());
        Assert.StartsWith("hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3)", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(import));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, recorder.Single("hcsshim::NewLayerWriter").Status);
    }

    [ContractFact]
    public void Layer_with_a_missing_parent_fails_to_construct_and_leaves_no_import_folder()
    {
        string layer = NewFolder("layer4");
        HashSet<string> before = HcsTempFolders();
        var e = Assert.Throws<LayerPathException>(() => _store.NewLayerWriter(layer, [Path.Combine(_folder, "no-parent")]));
        Assert.True(e.IsNotFound);
        Assert.Empty(HcsTempFolders().Except(before));
        Assert.DoesNotContain(_double.Lines, l => l.StartsWith("ImportLayer", StringComparison.Ordinal));
    }
}
