// Contract tests for the differences a line-by-line review against hcsshim HEAD found (issue 12): the HCS store over
// the Unix side of the file-system seam, with the vmcompute double standing in for HCS. The Windows side of the seam
// is in WindowsSeamContractTests. CA1416: the Windows-only backend is called off Windows on purpose.
#pragma warning disable CA1416

using System.Diagnostics;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WcLayer.Hcs;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Hcs;

[Collection(VmComputeDoubleCollection.Name)]
public sealed class HcsHeadParityContractTests : IDisposable
{
    private static readonly FileBasicInfo Directory_ = new(1, 2, 3, 4, FileAttributes.Directory);
    private readonly VmComputeDouble _double;
    private readonly HcsLayerStore _store = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("wclayer-parity-").FullName;

    public HcsHeadParityContractTests(VmComputeDoubleFixture fixture)
    {
        _double = fixture.Double;
        _double.Reset();
    }

    public void Dispose()
    {
        _double.Reset();
        Directory.Delete(_folder, recursive: true);
    }

    private string NewFolder(params string[] parts) => Directory.CreateDirectory(Path.Combine([_folder, .. parts])).FullName;

    private static byte[] Streams(params (BackupStreamId Id, byte[] Data)[] streams)
    {
        using var stream = new MemoryStream();
        using (var writer = new BackupStreamWriter(stream, leaveOpen: true))
        {
            foreach ((BackupStreamId id, byte[] data) in streams)
            {
                writer.WriteStream(id, data);
            }
        }

        return stream.ToArray();
    }

    // A self-relative security descriptor with nothing in it: enough to be a security stream.
    private static readonly byte[] EmptyDescriptor = [1, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    [ContractFact]
    public void Staging_files_get_the_times_but_not_the_attributes()
    {
        // Item 1: hcsshim's legacy writer sets strippedFi (attributes 0) on the staging file; the attributes travel in
        // the 4-byte prefix. A read-only staging file would survive the import folder's removal.
        string parent = NewFolder("parent");
        string layer = NewFolder("layer");
        var readOnly = new FileBasicInfo(11, 12, 13, 14, FileAttributes.ReadOnly | FileAttributes.Archive);
        var directory = new FileBasicInfo(21, 22, 23, 24, FileAttributes.Directory | FileAttributes.ReadOnly);
        var writer = (LegacyLayerWriter)_store.NewLayerWriter(layer, [parent]);
        string import = writer.ImportPath;
        try
        {
            writer.Add("Files", Directory_);
            writer.Add(@"Files\ro.txt", readOnly);
            writer.Write(Streams((BackupStreamId.Data, "x"u8.ToArray())));
            writer.Add(@"Files\dir", directory);

            using LayerRoot staging = LayerRoot.Open(import);
            using (SafeFileHandle file = staging.OpenHandle(@"Files\ro.txt", directory: false))
            {
                Assert.Equal(readOnly with { FileAttributes = 0 }, staging.GetBasicInfo(file));
            }

            using (SafeFileHandle companion = staging.OpenHandle(@"Files\dir.$wcidirs$", directory: false))
            {
                Assert.Equal(directory with { FileAttributes = 0 }, staging.GetBasicInfo(companion));
            }

            byte[] prefix = File.ReadAllBytes(Path.Combine(import, "Files", "ro.txt"))[..4];
            Assert.Equal((uint)readOnly.FileAttributes, BitConverter.ToUInt32(prefix));
        }
        finally
        {
            writer.Dispose();
        }

        Assert.False(Directory.Exists(import));
    }

    [ContractFact]
    public void Portable_layers_keep_the_attributes_on_the_file()
    {
        string layer = NewFolder("portable");
        var readOnly = new FileBasicInfo(11, 12, 13, 14, FileAttributes.ReadOnly | FileAttributes.Archive);
        using (var writer = new TransportLayerWriter(layer, [], layer, new TransportLayerWriterOptions { ImportFolderIsLayer = true }))
        {
            writer.Add(@"Files", Directory_);
            writer.Add(@"Files\ro.txt", readOnly);
            writer.Commit();
        }

        using LayerRoot root = LayerRoot.Open(layer);
        using SafeFileHandle file = root.OpenHandle(@"Files\ro.txt", directory: false);
        Assert.Equal(readOnly, root.GetBasicInfo(file));
    }

    [ContractFact]
    public void A_layer_path_with_a_trailing_separator_gives_clean_joined_paths()
    {
        // Item 2: Windows does not normalize \\?\ paths; hcsshim joins with filepath.Join, which cleans.
        string layer = NewFolder("base");
        using (ILayerWriter writer = _store.NewLayerWriter(layer + "/", []))
        {
            writer.Add("Files", Directory_);
            writer.Add("UtilityVM", Directory_);
            writer.Add(@"UtilityVM\Files", Directory_);
            writer.Commit();
        }

        Assert.Contains($"ProcessUtilityImage path=\"{layer.Replace('/', '\\')}\\UtilityVM\"", _double.Lines);

        _double.Reset();
        _double.SetResult("OpenVirtualDisk", 2);
        Assert.Throws<HcsException>(() => _store.ExpandScratchSize(@"\\?\C:\l\s\", 1));
        Assert.StartsWith("OpenVirtualDisk type={0,00000000-0000-0000-0000-000000000000} path=\"\\\\?\\C:\\l\\s\\sandbox.vhdx\"", _double.Lines.Single(l => l.StartsWith("OpenVirtualDisk", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [ContractFact]
    public void A_base_layer_is_read_from_its_folder_without_hcs_or_privileges()
    {
        // Item 5: hcsshim HEAD's newBaseLayerReader walks Files\ and UtilityVM\Files directly: no ExportLayer, no
        // privilege, no temporary folder; Hives and other UtilityVM children are not part of it.
        string layer = NewFolder("base");
        NewFolder("base", "Files", "a");
        File.WriteAllText(Path.Combine(layer, "Files", "a", "x.txt"), "x");
        File.WriteAllText(Path.Combine(layer, "Files", "b.txt"), "bbb");
        NewFolder("base", "Files", "$Recycle.Bin");
        File.WriteAllText(Path.Combine(layer, "Files", "$Recycle.Bin", "junk"), "junk");
        NewFolder("base", "Hives");
        File.WriteAllText(Path.Combine(layer, "Hives", "DefaultUser_Delta"), "hive");
        NewFolder("base", "UtilityVM", "Files", "EFI");
        File.WriteAllText(Path.Combine(layer, "UtilityVM", "Files", "EFI", "e.txt"), "e");
        File.WriteAllText(Path.Combine(layer, "UtilityVM", "other.txt"), "not in the layer");
        NewFolder("base", "UtilityVM", "Another");
        HashSet<string> before = [.. Directory.GetDirectories(Path.GetTempPath(), "hcs*")];

        using var recorder = new ActivityRecorder();
        var names = new List<string>();
        var sizes = new Dictionary<string, long>();
        using (ILayerReader reader = _store.NewLayerReader(layer, []))
        {
            Assert.Subset(before, Directory.GetDirectories(Path.GetTempPath(), "hcs*").ToHashSet());
            while (reader.Next() is { } entry)
            {
                names.Add(entry.Name);
                sizes[entry.Name] = entry.Size;
                if (entry.Name == @"Files\b.txt")
                {
                    Assert.Equal([BackupStreamId.Data], Support.BackupStreamIds.Of(reader));
                }
            }

            Assert.DoesNotContain(recorder.Stopped, a => a.OperationName == "hcsshim::NewLayerReader");
        }

        Assert.Equal(
            ["Files", @"Files\a", @"Files\a\x.txt", @"Files\b.txt", "UtilityVM", @"UtilityVM\Files", @"UtilityVM\Files\EFI", @"UtilityVM\Files\EFI\e.txt"],
            names);
        Assert.Equal(3, sizes[@"Files\b.txt"]);
        Assert.Equal(0, sizes["Files"]);
        Assert.Equal(string.Empty, _double.Log);
        Assert.Equal(ActivityStatusCode.Unset, recorder.Single("hcsshim::NewLayerReader").Status);
    }

    [ContractFact]
    public void A_base_layer_with_a_UtilityVM_but_no_UtilityVM_Files_reads_only_Files()
    {
        string layer = NewFolder("base");
        NewFolder("base", "Files");
        NewFolder("base", "UtilityVM");
        using ILayerReader reader = _store.NewLayerReader(layer, []);
        Assert.Equal("Files", reader.Next()?.Name);
        Assert.Null(reader.Next());
    }

    [ContractFact]
    public void A_missing_Files_folder_in_a_base_layer_is_an_error_naming_it()
    {
        string layer = NewFolder("empty");
        using ILayerReader reader = _store.NewLayerReader(layer, []);
        var e = Assert.Throws<LayerPathException>(() => reader.Next());
        Assert.EndsWith("Files", e.Path, StringComparison.Ordinal);
        Assert.True(e.IsNotFound);
    }

    [ContractFact]
    public void Hcs_export_folders_are_read_without_security_outside_Files()
    {
        // Item 7: hcsshim's legacy reader reads Hives and UtilityVM with NewBackupFileReader(f, false); the portable
        // store keeps reading them with their security descriptor (lossless).
        string folder = NewFolder("export");
        using (var writer = new TransportLayerWriter(folder, [], folder, new TransportLayerWriterOptions { ImportFolderIsLayer = true }))
        {
            writer.Add("Files", Directory_);
            writer.Add(@"Files\f.txt", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Archive));
            writer.Write(Streams((BackupStreamId.SecurityData, EmptyDescriptor), (BackupStreamId.Data, "f"u8.ToArray())));
            writer.Add("Hives", Directory_);
            writer.Add(@"Hives\System_Delta", new FileBasicInfo(5, 6, 7, 8, FileAttributes.Archive));
            writer.Add(@"Hives\h", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Archive));
            writer.Write(Streams((BackupStreamId.SecurityData, EmptyDescriptor), (BackupStreamId.Data, "h"u8.ToArray())));
            writer.Commit();
        }

        Assert.Equal([BackupStreamId.Data], StreamsOf(new TransportLayerReader(folder, HcsLayerStore.ExportFolderOptions), @"Hives\h"));
        Assert.Equal([BackupStreamId.SecurityData, BackupStreamId.Data], StreamsOf(new TransportLayerReader(folder, HcsLayerStore.ExportFolderOptions), @"Files\f.txt"));
        Assert.Equal([BackupStreamId.SecurityData, BackupStreamId.Data], StreamsOf(new TransportLayerReader(folder), @"Hives\h"));
    }

    private static List<BackupStreamId> StreamsOf(TransportLayerReader reader, string name)
    {
        using (reader)
        {
            while (reader.Next() is { } entry)
            {
                if (entry.Name == name)
                {
                    return Support.BackupStreamIds.Of(reader);
                }
            }
        }

        throw new InvalidOperationException(name + " not found");
    }

    [ContractFact]
    public void Hcs_staging_ignores_the_UtilityVM_entry_times_and_stream()
    {
        // Item 7: hcsshim's legacy writer only clones the parent's utility VM for this entry (initUtilityVM).
        string parent = NewFolder("parent");
        NewFolder("parent", "UtilityVM", "Files");
        File.WriteAllText(Path.Combine(parent, "UtilityVM", "Files", "a.txt"), "a");
        string layer = NewFolder("layer");
        using (ILayerWriter writer = _store.NewLayerWriter(layer, [parent]))
        {
            writer.Add("UtilityVM", new FileBasicInfo(31, 32, 33, 34, FileAttributes.Directory));
            writer.Write(Streams((BackupStreamId.SecurityData, EmptyDescriptor)));
            writer.Add(@"UtilityVM\Files\b.txt", new FileBasicInfo(1, 2, 3, 4, FileAttributes.Archive));
            writer.Write(Streams((BackupStreamId.Data, "b"u8.ToArray())));
            writer.Commit();
        }

        using LayerRoot root = LayerRoot.Open(layer);
        using (SafeFileHandle utilityVM = root.OpenHandle("UtilityVM", directory: true))
        {
            Assert.Null(root.GetBasicInfo(utilityVM));
        }

        Assert.Equal("a", File.ReadAllText(Path.Combine(layer, "UtilityVM", "Files", "a.txt")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(layer, "UtilityVM", "Files", "b.txt")));
        Assert.Contains(_double.Lines, l => l.StartsWith("ProcessUtilityImage", StringComparison.Ordinal));
    }
}
