using System.IO.Compression;
using WcLayer.Tests.Samples;

namespace WcLayer.Tests.Cli;

/// <summary>import, export, create, mount, unmount, diff, remove end to end through the CLI, on the portable store.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportThenExportGivesTheSameLayer()
    {
        byte[] baseTar = await LayerTars.CreateBaseAsync();
        byte[] childTar = await SampleLayer.CreateAsync();
        await File.WriteAllBytesAsync(_temp["base.tar"], baseTar);
        await File.WriteAllBytesAsync(_temp["child.tar"], childTar);

        await SucceedsSilently("import", "-i", _temp["base.tar"], _temp["base"]);
        await SucceedsSilently("import", "--layer", _temp["base"], "--input", _temp["child.tar"], _temp["child"]);
        await SucceedsSilently("export", "-o", _temp["base.out.tar"], _temp["base"]);
        await SucceedsSilently("export", "-l", _temp["base"], "--output", _temp["child.out.tar"], _temp["child"]);

        byte[] baseOut = await File.ReadAllBytesAsync(_temp["base.out.tar"]);
        byte[] childOut = await File.ReadAllBytesAsync(_temp["child.out.tar"]);
        Assert.Equal(await LayerTars.DescribeAsync(baseTar), await LayerTars.DescribeAsync(baseOut));
        Assert.Equal(await LayerTars.DescribeAsync(childTar), await LayerTars.DescribeAsync(childOut));
    }

    [Fact]
    public async Task ExportOfAnExportedLayerIsByteIdentical()
    {
        await SucceedsSilently("import", "-i", await WriteAsync("base.tar", await LayerTars.CreateBaseAsync()), _temp["base"]);
        await SucceedsSilently("export", "-o", _temp["base.out.tar"], _temp["base"]);
        byte[] baseOut = await File.ReadAllBytesAsync(_temp["base.out.tar"]);

        // The exporter's order is the store's walk: a tar it wrote comes back byte for byte.
        await SucceedsSilently("import", "-i", _temp["base.out.tar"], _temp["base2"]);
        await SucceedsSilently("export", "-o", _temp["base2.out.tar"], _temp["base2"]);
        Assert.Equal(baseOut, await File.ReadAllBytesAsync(_temp["base2.out.tar"]));
    }

    [Fact]
    public async Task ScratchEditsExportAsTheirDifferenceAndRemoveLeavesNothing()
    {
        string root = await MountScratchOnSampleAsync();

        // The merged view: the child's whiteout hides the base's file; the hard link and the base's files are there.
        Assert.False(File.Exists(Path.Combine(root, "Windows/Temp/setup.log")));
        Assert.True(File.Exists(Path.Combine(root, "Windows/System32/notepad.exe")));
        await File.WriteAllTextAsync(Path.Combine(root, "Windows/new.txt"), "added\n");
        File.Delete(Path.Combine(root, "Windows/System32/drivers/etc/hosts"));
        File.Move(Path.Combine(root, "Windows/System32/license.rtf"), Path.Combine(root, "Windows/license.rtf"));
        await SucceedsSilently("unmount", _temp["scratch"]);

        await SucceedsSilently("export", "-l", _temp["child"], "-l", _temp["base"], "-o", _temp["diff.tar"], _temp["scratch"]);
        CliResult listed = await CliRunner.RunAsync(["ls", _temp["diff.tar"]]);
        CliResult diff = await CliRunner.RunAsync(["diff", "-l", _temp["child"], "-l", _temp["base"], _temp["scratch"]]);
        Assert.Equal(0, diff.ExitCode);
        Assert.Equal(listed.Output, diff.Output);
        Assert.Equal(
            [
                "d Files",
                "d Files/Windows",
                "d Files/Windows/System32",
                "w Files/Windows/System32/.wh.license.rtf",
                "d Files/Windows/System32/drivers",
                "d Files/Windows/System32/drivers/etc",
                "w Files/Windows/System32/drivers/etc/.wh.hosts",
                "- Files/Windows/license.rtf",
                "- Files/Windows/new.txt",
            ],
            TypesAndNames(listed));
        string[] entries = await LayerTars.DescribeAsync(await File.ReadAllBytesAsync(_temp["diff.tar"]));
        Assert.Contains(entries, e => e.StartsWith("Files/Windows/new.txt File ", StringComparison.Ordinal) && e.Contains(" size=6 ", StringComparison.Ordinal));

        await SucceedsSilently("remove", _temp["scratch"]);
        await SucceedsSilently("remove", _temp["child"]);
        await SucceedsSilently("remove", _temp["base"]);
        Assert.Equal(["base.tar", "child.tar", "diff.tar"], _temp.Contents());
    }

    [Fact]
    public async Task ChangedFileKeepsItsParentsSecurityDescriptorAndStreams()
    {
        string root = await MountScratchOnSampleAsync();
        await File.WriteAllTextAsync(Path.Combine(root, "Windows/win.ini"), "[changed]\n");
        await SucceedsSilently("unmount", _temp["scratch"]);

        await SucceedsSilently("export", "-o", _temp["diff.tar"], _temp["scratch"]);

        Assert.Equal(["d Files", "d Files/Windows", "- Files/Windows/win.ini  [:Zone.Identifier 26]"], TypesAndNames(await CliRunner.RunAsync(["ls", _temp["diff.tar"]])));
        string[] diffEntries = await LayerTars.DescribeAsync(await File.ReadAllBytesAsync(_temp["diff.tar"]));
        string[] childEntries = await LayerTars.DescribeAsync(await SampleLayer.CreateAsync());
        Assert.Equal(SecurityDescriptorOf(childEntries, "Files/Windows/win.ini"), SecurityDescriptorOf(diffEntries, "Files/Windows/win.ini"));
        Assert.Contains(diffEntries, e => e.StartsWith("Files/Windows/win.ini:Zone.Identifier ", StringComparison.Ordinal));
    }

    private async Task<string> MountScratchOnSampleAsync()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        await File.WriteAllBytesAsync(_temp["child.tar"], await SampleLayer.CreateAsync());
        await SucceedsSilently("import", "-i", _temp["base.tar"], _temp["base"]);
        await SucceedsSilently("import", "-l", _temp["base"], "-i", _temp["child.tar"], _temp["child"]);
        await SucceedsSilently("create", "-l", _temp["child"], "-l", _temp["base"], _temp["scratch"]);

        CliResult mount = await CliRunner.RunAsync(["mount", "-l", _temp["child"], "-l", _temp["base"], _temp["scratch"]]);
        Assert.Equal(0, mount.ExitCode);
        string root = Assert.Single(mount.OutputLines);
        Assert.Equal(Path.Combine(_temp["scratch"], "mount"), root);
        return root;
    }


    // The text listing's name starts after the fixed-width columns (type, attributes, size, time).
    private static string[] TypesAndNames(CliResult listing) =>
        [.. listing.OutputLines.Select(line => line[0] + " " + line[47..])];

    private static string SecurityDescriptorOf(string[] entries, string name) =>
        entries.Single(e => e.StartsWith(name + " ", StringComparison.Ordinal)).Split(" sd=")[1].Split(' ')[0];

    [Fact]
    public async Task MountAtATargetLinksItAndUnmountRemovesTheLink()
    {
        await SucceedsSilently("import", "-i", await WriteAsync("base.tar", await LayerTars.CreateBaseAsync()), _temp["base"]);
        await SucceedsSilently("create", "-l", _temp["base"], _temp["scratch"]);

        CliResult mount = await CliRunner.RunAsync(["mount", "-l", _temp["base"], _temp["scratch"], _temp["c"]]);

        Assert.Equal(0, mount.ExitCode);
        Assert.Equal(_temp["c"], Assert.Single(mount.OutputLines));
        Assert.True(File.Exists(Path.Combine(_temp["c"], "Windows/win.ini")));
        await SucceedsSilently("unmount", _temp["scratch"], _temp["c"]);
        Assert.False(Path.Exists(_temp["c"]));
    }

    [Fact]
    public async Task GzipInputIsDetectedAndGzipOutputIsWritten()
    {
        byte[] baseTar = await LayerTars.CreateBaseAsync();
        await SucceedsSilently("import", "-i", await WriteAsync("base.tar.gz", Gzip(baseTar)), _temp["base"]);
        await SucceedsSilently("export", "-z", "-o", _temp["out.tar.gz"], _temp["base"]);

        byte[] exported = Gunzip(await File.ReadAllBytesAsync(_temp["out.tar.gz"]));
        Assert.Equal(await LayerTars.DescribeAsync(baseTar), await LayerTars.DescribeAsync(exported));
    }

    [Fact]
    public async Task StandardInputAndOutputCarryTheTars()
    {
        byte[] baseTar = await LayerTars.CreateBaseAsync();
        CliResult import = await CliRunner.RunAsync(["import", _temp["base"]], stdin: Gzip(baseTar));
        Assert.Equal(0, import.ExitCode);
        (CliResult export, byte[] stdout) = await CliRunner.RunWithBinaryOutputAsync(["export", "--gzip", _temp["base"]]);

        Assert.Equal(0, export.ExitCode);
        Assert.Equal(string.Empty, export.Error);
        Assert.Equal(await LayerTars.DescribeAsync(baseTar), await LayerTars.DescribeAsync(Gunzip(stdout)));
    }

    [Fact]
    public async Task LsOfALayerFolderListsWhatExportWrites()
    {
        await SucceedsSilently("import", "-i", await WriteAsync("base.tar", await LayerTars.CreateBaseAsync()), _temp["base"]);
        await SucceedsSilently("export", "-o", _temp["out.tar"], _temp["base"]);

        CliResult folder = await CliRunner.RunAsync(["ls", "--json", _temp["base"]]);
        CliResult tar = await CliRunner.RunAsync(["ls", "--json", _temp["out.tar"]]);

        Assert.Equal(0, folder.ExitCode);
        Assert.Equal(tar.OutputLines, folder.OutputLines);
        Assert.NotEmpty(folder.OutputLines);
    }

    [Fact]
    public async Task EmptyTarMakesAnEmptyParentForALayerWithWhiteouts()
    {
        await SucceedsSilently("import", "-i", await WriteAsync("empty.tar", LayerTars.Empty), _temp["empty"]);
        await SucceedsSilently("import", "-l", _temp["empty"], "-i", await WriteAsync("child.tar", await SampleLayer.CreateAsync()), _temp["child"]);

        CliResult listed = await CliRunner.RunAsync(["ls", _temp["child"]]);
        Assert.Contains(listed.OutputLines, line => line.EndsWith(" Files/Windows/Temp/.wh.setup.log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BaseLayerWithAHardLinkImports()
    {
        var writer = new Support.MemoryLayerWriter();
        await WcLayer.Oci.OciLayer.WriteLayerFromTarAsync(new MemoryStream(await SampleLayer.CreateAsync()), writer);
        writer.Commit();
        writer.Committed!.Entries.RemoveAll(e => e.Info is null);
        using var tar = new MemoryStream();
        await WcLayer.Oci.OciLayer.WriteTarFromLayerAsync(writer.Committed.OpenReader(), tar);

        await SucceedsSilently("import", "-i", await WriteAsync("base.tar", tar.ToArray()), _temp["base"]);
    }

    private async Task<string> WriteAsync(string name, byte[] bytes)
    {
        await File.WriteAllBytesAsync(_temp[name], bytes);
        return _temp[name];
    }

    private static async Task SucceedsSilently(params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"wclayer {string.Join(' ', args)} failed: {result.Error}");
        Assert.Equal(string.Empty, result.Error);
        Assert.Equal(string.Empty, result.Output);
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return compressed.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var plain = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(plain);
        }

        return plain.ToArray();
    }
}
