using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using WcLayer.Hcs;
using WcLayer.Transport;
using WcLayer.Win32;

namespace WcLayer.Tests.Hcs;

/// <summary>
/// Tests against the real Host Compute Service and NTFS. They need Windows with the Containers feature, an elevated
/// process (HCS answers administrators only; creating the symbolic link of the clone test needs it too) and, for the
/// layer tests, an existing base layer named by WCLAYER_TEST_BASE_LAYER. Skipped elsewhere. The issue-12 tests say,
/// each, what a Windows host must show. See docs/windows-testing.md.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class HcsWindowsTests : IDisposable
{
    private readonly HcsLayerStore _store = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "wclayer-hcs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (OperatingSystem.IsWindows() && Directory.Exists(_root))
        {
            foreach (string layer in Directory.GetDirectories(_root))
            {
                try
                {
                    _store.DestroyLayer(layer);
                }
                catch (HcsException)
                {
                    // Best effort: a failed test may leave a layer HCS refuses to destroy while mounted.
                }
            }

            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string BaseLayer => Environment.GetEnvironmentVariable(HcsHost.BaseLayerVariable)!;

    // Spec 15.3: the first seven from hcsshim's test comments, the rest from public logs.
    [WindowsTheory]
    [InlineData("f9b22d909166dd54b870eb699d54f4cf36d99f035ffd7701aff1267230aefd1e", "7095521e-b79e-50fc-bafb-958d85400362")]
    [InlineData("f30368666ce4457e86fe12867506e508071d89e7eae615fc389c64f2e37ce54e", "6ba9cac1-7086-5ee9-a197-c465d3f50ad7")]
    [InlineData("7a6ad2b849a9d29e6648d9950c1975b0f614a63b5fe2803009ce131745abcc62", "300b3ac0-b603-5367-9494-afec045dd369")]
    [InlineData("5d1332fe416f7932c344ce9c536402a6fc6d0bfcdf7a74f67cc67b8cfc66ab41", "fa3057d9-0d4b-54c0-b2d5-34b7afc78f91")]
    [InlineData("b95977ad18f8fa04e517daa2e814f73d69bfff55c3ea68d56f2b0b8ae23a235d", "23284a2c-cdda-582a-a175-a196211b03cb")]
    [InlineData("b2a444ff0e984ef282d6a8e24fa0108e76b6807d943e111a0e878c1c53ed8246", "e0233918-d93f-5b08-839e-0cbeda79b68b")]
    [InlineData("de6b1a908240cca2aef34f49994e7d4e25a8e157a2cef3b6d6cf2d8e6400bfc2", "02740e08-d1d3-5715-9c08-c255eab4ca01")]
    [InlineData("4", "bd9c3ef9-f239-59b5-a27e-15c523b1d149")]
    [InlineData("305d84fb4aa7bb0818f672f25e34cf899067db0a9d0b245cdcf9c5d106360954", "b7751ac9-9da4-5a04-8f41-2d5e61a8b5b7")]
    [InlineData("076e74b17ff6b4b670e466cdc13945303bb7df9b82bf461e756bc729d659da07", "aa4fc017-120a-5dc4-b863-36ed05992ba1")]
    [InlineData("a35c063592d63f30c6a7dc361d6b24991123e180c07c3d8f646809a2fae2ba05", "7c936f90-3131-5f18-ad64-69ffca88a11c")]
    [InlineData("522119ca0c1d5ec876732c63b752ff7a5f3bf7f73f2ad859e2934d7c0ceccb76", "f0990ba7-98d1-58ac-9898-58ba8a8e228c")]
    [InlineData("f0141935f0501d855ac26c573a443b5c3f1247ab3b567d1aba955e2f693eb933", "e5e54c1a-e4b1-5e27-aaf3-0908e255e124")]
    [InlineData("3ff0e976381974986917b24702945d256792418a306c75efc9676f520d2d4c1a", "e0716d0b-eac4-57de-b20a-577ab7950b9e")]
    public void NameToGuid_matches_the_published_vectors(string name, string expected)
    {
        Assert.Equal(Guid.Parse(expected), _store.NameToGuid(name));
        Assert.Equal(Guid.Parse(expected), _store.LayerId(@"C:\ProgramData\docker\windowsfilter\" + name));
    }

    [WindowsFact]
    public void Missing_layer_folder_gives_path_not_found()
    {
        var e = Assert.Throws<HcsException>(() => _store.ActivateLayer(Path.Combine(_root, "does-not-exist")));
        Assert.Contains(e.ErrorCode, new[] { Win32Error.FileNotFound, Win32Error.PathNotFound });
        Assert.False(_store.LayerExists(Path.Combine(_root, "does-not-exist")));
    }

    // The hives are written by the real offreg.dll; the BCD check fails before any HCS call, so no base image is needed.
    [WindowsFact]
    public void ConvertToBaseLayer_writes_real_hives_then_checks_the_utility_vm()
    {
        string layer = Directory.CreateDirectory(Path.Combine(_root, "convert")).FullName;
        Directory.CreateDirectory(Path.Combine(layer, "Files"));
        Directory.CreateDirectory(Path.Combine(layer, "UtilityVM", "Files"));
        string config = Path.Combine(layer, "Files", "Windows", "System32", "config");

        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        Assert.StartsWith(@"hcsshim::ConvertToBaseLayer - failed failed in Win32: UtilityVM must contain 'EFI\Microsoft\Boot\BCD': open \\?\", e.Message, StringComparison.Ordinal);
        Assert.Equal(Win32Error.PathNotFound, e.ErrorCode);
        var written = new Dictionary<string, DateTime>();
        foreach (string hive in new[] { "DEFAULT", "SAM", "SECURITY", "SOFTWARE", "SYSTEM" })
        {
            string file = Path.Combine(config, hive);
            byte[] header = File.ReadAllBytes(file)[..4];
            Assert.Equal("regf"u8.ToArray(), header);
            written[hive] = File.GetLastWriteTimeUtc(file);
        }

        // Existing hives are kept (B12 fixed): a second run does not rewrite them.
        Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer));
        foreach ((string hive, DateTime time) in written)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Combine(config, hive)));
        }
    }

    [WindowsFact(needsBaseLayer: true)]
    public void Read_only_layer_mount_path_is_its_folder()
    {
        _store.ActivateLayer(BaseLayer);
        try
        {
            Assert.Equal(Path.TrimEndingDirectorySeparator(BaseLayer), Path.TrimEndingDirectorySeparator(_store.GetLayerMountPath(BaseLayer)), ignoreCase: true);
            Assert.True(_store.LayerExists(BaseLayer));
        }
        finally
        {
            _store.DeactivateLayer(BaseLayer);
        }
    }

    [WindowsFact(needsBaseLayer: true)]
    public void Scratch_create_mount_unmount()
    {
        string scratch = Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;
        _store.CreateScratchLayer(scratch, [BaseLayer]);
        Assert.True(File.Exists(Path.Combine(scratch, "sandbox.vhdx")));
        Mount(scratch, mountPath => Assert.StartsWith(@"\\?\Volume{", mountPath, StringComparison.OrdinalIgnoreCase));
    }

    [WindowsFact(needsBaseLayer: true)]
    public void ExpandScratchSize_grows_the_scratch()
    {
        string scratch = Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;
        _store.CreateScratchLayer(scratch, [BaseLayer]);
        long before = new FileInfo(Path.Combine(scratch, "sandbox.vhdx")).Length;
        _store.ExpandScratchSize(scratch, 40UL << 30);
        Mount(scratch, mountPath => Assert.True(Directory.Exists(mountPath)));
        Assert.True(new FileInfo(Path.Combine(scratch, "sandbox.vhdx")).Length >= before);
    }

    [WindowsFact(needsBaseLayer: true)]
    public void Export_then_import_round_trips_a_changed_file()
    {
        string scratch = Directory.CreateDirectory(Path.Combine(_root, "scratch")).FullName;
        _store.CreateScratchLayer(scratch, [BaseLayer]);
        Mount(scratch, mountPath => File.WriteAllText(Path.Combine(mountPath, "wclayer-test.txt"), "hello from WcLayer"));

        string export = Directory.CreateDirectory(Path.Combine(_root, "export")).FullName;
        _store.ActivateLayer(scratch);
        try
        {
            _store.ExportLayer(scratch, export, [BaseLayer]);
        }
        finally
        {
            _store.DeactivateLayer(scratch);
        }

        Assert.True(File.Exists(Path.Combine(export, "Files", "wclayer-test.txt")));

        string imported = Path.Combine(_root, "imported");
        _store.ImportLayer(imported, export, [BaseLayer]);
        Assert.True(_store.LayerExists(imported));
        Assert.Equal("hello from WcLayer", File.ReadAllText(Path.Combine(imported, "Files", "wclayer-test.txt")));
    }

    private void Mount(string scratch, Action<string> use)
    {
        _store.ActivateLayer(scratch);
        try
        {
            _store.PrepareLayer(scratch, [BaseLayer]);
            try
            {
                use(_store.GetLayerMountPath(scratch));
            }
            finally
            {
                _store.UnprepareLayer(scratch);
            }
        }
        finally
        {
            _store.DeactivateLayer(scratch);
        }
    }

    [WindowsFact(needsBaseLayer: true)]
    public void NewLayerWriter_imports_a_layer_over_the_base_and_reads_it_back()
    {
        string layer = Directory.CreateDirectory(Path.Combine(_root, "written")).FullName;
        var directory = new WcLayer.Win32.FileBasicInfo(132000000000000000, 132000000000000000, 132000000000000000, 132000000000000000, FileAttributes.Directory);
        using (ILayerWriter writer = _store.NewLayerWriter(layer, [BaseLayer]))
        {
            writer.Add("Files", directory);
            writer.Add(@"Files\wclayer-written.txt", directory with { FileAttributes = FileAttributes.Archive });
            using var bytes = new MemoryStream();
            using (var streams = new WcLayer.Win32.BackupStreamWriter(bytes, leaveOpen: true))
            {
                streams.WriteStream(WcLayer.Win32.BackupStreamId.Data, "written"u8);
            }

            writer.Write(bytes.ToArray());
            writer.AddLink(@"Files\wclayer-link.txt", @"Files\wclayer-written.txt");
            writer.Commit();
        }

        Assert.Equal("written", File.ReadAllText(Path.Combine(layer, "Files", "wclayer-written.txt")));
        Assert.Equal("written", File.ReadAllText(Path.Combine(layer, "Files", "wclayer-link.txt")));
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "hcs*"), d => File.Exists(Path.Combine(d, "Files", "wclayer-written.txt")));
        using ILayerReader reader = _store.NewLayerReader(layer, [BaseLayer]);
        var names = new List<string>();
        while (reader.Next() is { } entry)
        {
            names.Add(entry.Name);

            // Issue 12, item 7. A Windows host must show: entries outside Files\ of an HCS export carry no security
            // descriptor (hcsshim's legacy reader uses NewBackupFileReader(f, false)).
            if (!entry.Name.StartsWith(@"Files\", StringComparison.Ordinal) && entry.Name != "Files")
            {
                Assert.DoesNotContain(BackupStreamId.SecurityData, Support.BackupStreamIds.Of(reader));
            }
        }

        Assert.Contains(@"Files\wclayer-written.txt", names);
    }

    // ---- issue 12: what only a Windows host can show (docs/windows-testing.md lists them) ----

    private static byte[] Streams(params (BackupStreamId Id, byte[] Data, string Name)[] streams)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BackupStreamWriter(bytes, leaveOpen: true))
        {
            foreach ((BackupStreamId id, byte[] data, string name) in streams)
            {
                writer.WriteStream(id, data, name);
            }
        }

        return bytes.ToArray();
    }

    // Item 1. A Windows host must show: a read-only entry leaves no read-only staging file, so the import folder
    // (hcsshim's %TEMP%\hcs*) is deleted with the layer's data; a .$wcidirs$ companion is not a directory.
    [WindowsFact]
    public void A_read_only_entry_stages_as_a_plain_file_and_the_import_folder_is_deleted()
    {
        string import = Directory.CreateDirectory(Path.Combine(_root, "import")).FullName;
        string layer = Directory.CreateDirectory(Path.Combine(_root, "layer")).FullName;
        string parent = Directory.CreateDirectory(Path.Combine(_root, "parent")).FullName;
        var readOnly = new FileBasicInfo(132000000000000000, 132000000000000000, 132000000000000000, 132000000000000000, FileAttributes.ReadOnly | FileAttributes.Archive);
        using (var writer = new TransportLayerWriter(import, [parent], layer))
        {
            writer.Add("Files", readOnly with { FileAttributes = FileAttributes.Directory | FileAttributes.ReadOnly });
            writer.Add(@"Files\ro.txt", readOnly);
            writer.Write(Streams((BackupStreamId.Data, "x"u8.ToArray(), string.Empty)));
            writer.Commit();
        }

        Assert.Equal(0, (int)(File.GetAttributes(Path.Combine(import, "Files", "ro.txt")) & FileAttributes.ReadOnly));
        Assert.Equal(0, (int)(File.GetAttributes(Path.Combine(import, "Files.$wcidirs$")) & FileAttributes.Directory));
        Directory.Delete(import, recursive: true);
    }

    // Item 2. A Windows host must show: a layer path with a trailing separator gives ORSaveHive and
    // ProcessUtilityImage clean \\?\ paths (no doubled separator), so the hives are written.
    [WindowsFact]
    public void ConvertToBaseLayer_with_a_trailing_separator_writes_the_hives()
    {
        string layer = Directory.CreateDirectory(Path.Combine(_root, "convert-trailing")).FullName;
        Directory.CreateDirectory(Path.Combine(layer, "Files"));
        Directory.CreateDirectory(Path.Combine(layer, "UtilityVM", "Files"));
        var e = Assert.Throws<HcsException>(() => _store.ConvertToBaseLayer(layer + @"\"));
        Assert.DoesNotContain(@"\\UtilityVM", e.Message, StringComparison.Ordinal);
        Assert.Equal("regf"u8.ToArray(), File.ReadAllBytes(Path.Combine(layer, "Files", "Windows", "System32", "config", "SYSTEM"))[..4]);
    }

    // Item 3. A Windows host must show: a directory symbolic link (or junction) in the parent's UtilityVM\Files is
    // cloned as a directory reparse point with the same target, and nothing behind it is copied.
    [WindowsFact]
    public void CloneTree_clones_a_directory_link_as_a_directory_reparse_point()
    {
        string parent = Directory.CreateDirectory(Path.Combine(_root, "clone-parent")).FullName;
        string files = Directory.CreateDirectory(Path.Combine(parent, "UtilityVM", "Files")).FullName;
        string target = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        File.WriteAllText(Path.Combine(target, "behind.txt"), "behind the link");
        Directory.CreateSymbolicLink(Path.Combine(files, "link"), target);
        string layer = Directory.CreateDirectory(Path.Combine(_root, "clone-layer", "UtilityVM")).Parent!.FullName;

        using (LayerRoot source = LayerRoot.Open(parent))
        using (LayerRoot destination = LayerRoot.Open(layer))
        {
            LayerCopier.CloneTree(source, destination, TransportPath.UtilityVMFiles, TransportPath.MutatedUtilityVMFiles);
        }

        var clone = new DirectoryInfo(Path.Combine(layer, "UtilityVM", "Files", "link"));
        Assert.True(clone.Attributes.HasFlag(FileAttributes.Directory | FileAttributes.ReparsePoint));
        Assert.Equal(target, clone.LinkTarget);
    }

    // Item 4. A Windows host must show: a directory opened for writing takes BackupWrite's EA stream (FILE_WRITE_EA
    // comes with GENERIC_WRITE), and BackupRead gives it back.
    [WindowsFact]
    public void A_directory_opened_for_writing_takes_an_extended_attribute_stream()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root, "ea")).FullName;
        byte[] ea = ExtendedAttributeList.Encode([new ExtendedAttribute("WCLAYER.TEST", "value"u8.ToArray())]);
        using LayerRoot root = LayerRoot.Open(folder);
        root.CreateDirectory("d");
        using (SafeFileHandle handle = root.OpenHandle("d", directory: true, write: true))
        using (PlainBackupWriter writer = root.CreatePlainBackupWriter(null, handle, processSecurity: false, root.Describe("d")))
        {
            writer.Write(Streams((BackupStreamId.ExtendedAttributes, ea, string.Empty)));
            writer.Complete();
        }

        using SafeFileHandle read = root.OpenHandle("d", directory: true);
        using Stream backup = root.OpenPlainBackupReader(null, read, includeSecurity: false, root.Describe("d"));
        using var streams = new BackupStreamReader(backup, leaveOpen: true);
        Assert.Contains(BackupStreamId.ExtendedAttributes, Enumerable.Range(0, 8).Select(_ => streams.ReadNextHeader()).TakeWhile(h => h is not null).Select(h => h!.Value.Id));
    }

    // Item 5. A Windows host must show: a base layer reads straight from its folder, Files first, with no ExportLayer
    // and no %TEMP%\hcs* folder.
    [WindowsFact(needsBaseLayer: true)]
    public void NewLayerReader_of_a_base_layer_reads_its_folder()
    {
        HashSet<string> before = [.. Directory.GetDirectories(Path.GetTempPath(), "hcs*")];
        using ILayerReader reader = _store.NewLayerReader(BaseLayer, []);
        Assert.Equal("Files", reader.Next()?.Name);
        Assert.Equal(@"Files\", reader.Next()?.Name[..6]);
        Assert.Subset(before, Directory.GetDirectories(Path.GetTempPath(), "hcs*").ToHashSet());
    }

    // Item 6. A Windows host must show: a privilege the token does not hold (SeTcbPrivilege, which not even
    // administrators hold) is skipped, not an error, and the operation runs.
    [WindowsFact]
    public void A_privilege_the_token_lacks_does_not_stop_the_operation()
    {
        bool ran = false;
        Privileges.Run(["SeTcbPrivilege", Privileges.Backup], () => ran = true);
        Assert.True(ran);
    }

    // Item 8. A Windows host must show: a writer disposed in the middle of an alternate data stream frees its
    // BackupWrite context (which holds the stream open), so the import folder is deleted at once.
    [WindowsFact]
    public void A_writer_disposed_mid_stream_leaves_nothing_open()
    {
        string import = Directory.CreateDirectory(Path.Combine(_root, "import-mid")).FullName;
        string layer = Directory.CreateDirectory(Path.Combine(_root, "layer-mid")).FullName;
        string parent = Directory.CreateDirectory(Path.Combine(_root, "parent-mid")).FullName;
        byte[] stream = Streams((BackupStreamId.AlternateData, new byte[100], ":s:$DATA"));
        using (var writer = new TransportLayerWriter(import, [parent], layer))
        {
            writer.Add("Hives", new FileBasicInfo(1, 1, 1, 1, FileAttributes.Directory));
            writer.Add(@"Hives\h", new FileBasicInfo(1, 1, 1, 1, FileAttributes.Archive));
            writer.Write(stream.AsSpan(0, stream.Length - 50));
        }

        Directory.Delete(import, recursive: true);
    }

    // Item 9. A Windows host must show: HCS_E_* codes print the system's text (Go's FormatMessage), not
    // "winapi error #N"; a missing root folder in an existing folder is FILE_NOT_FOUND (2), deeper PATH_NOT_FOUND (3).
    [WindowsFact]
    public void Errors_read_as_hcsshims()
    {
        Assert.DoesNotContain("winapi error", SystemMessage.Of(unchecked((int)0x80370100)), StringComparison.Ordinal);
        Assert.Equal("invalid argument", SystemMessage.Of(HcsErrors.GoInvalidArgument));
        Directory.CreateDirectory(_root);
        Assert.Equal(Win32Error.FileNotFound, Assert.Throws<LayerPathException>(() => LayerRoot.Open(Path.Combine(_root, "missing"))).ErrorCode);
        Assert.Equal(Win32Error.PathNotFound, Assert.Throws<LayerPathException>(() => LayerRoot.Open(Path.Combine(_root, "missing", "deeper"))).ErrorCode);
    }
}
