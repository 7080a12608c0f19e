using WcLayer.Tests.Samples;

namespace WcLayer.Tests.Cli;

/// <summary>
/// Every failure a new user met is one line that names the path and says what to do, in the terms of the OS they
/// are on (not HCS's Win32 text); nothing is left behind.
/// </summary>
public sealed class UserMessageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AParentThatIsNotALayerIsNamed()
    {
        Directory.CreateDirectory(_temp["plain"]);
        await File.WriteAllBytesAsync(_temp["child.tar"], await SampleLayer.CreateAsync());

        CliResult result = await CliRunner.RunAsync(["import", "-l", _temp["plain"], "-i", _temp["child.tar"], _temp["child"]]);

        string expected = OperatingSystem.IsWindows()
            ? $"wclayer import: not a layer: {_temp["plain"]} (layers are made by 'wclayer import' or 'wclayer create')"
            : $"wclayer import: not a layer: {_temp["plain"]} has no wclayer.json (layers are made by 'wclayer import' or 'wclayer create')";
        AssertFailure(result, 1, expected);
        Assert.Equal(["child.tar", "plain"], _temp.Contents());
    }

    [Fact]
    public async Task AMissingInputNamesTheFile()
    {
        CliResult result = await CliRunner.RunAsync(["import", "-i", _temp["nonexist.tar"], _temp["layer"]]);

        AssertFailure(result, 1, $"wclayer import: {_temp["nonexist.tar"]}: no such file");
        Assert.Empty(_temp.Contents());
    }

    [Theory]
    [InlineData("import")]
    [InlineData("ls")]
    public async Task ATextFileIsNotATar(string command)
    {
        await File.WriteAllTextAsync(_temp["README.md"], string.Concat(Enumerable.Repeat("# WcLayer\n\nA library for Windows container layers.\n", 20)));

        CliResult result = await CliRunner.RunAsync(command == "ls" ? ["ls", _temp["README.md"]] : ["import", "-i", _temp["README.md"], _temp["layer"]]);

        AssertFailure(result, 1, $"wclayer {command}: {_temp["README.md"]} is not a tar archive: its first 512 bytes are not a tar header (wclayer reads layer tars, plain or gzip-compressed)");
        Assert.Equal(["README.md"], _temp.Contents());
    }

    [Theory]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58 }, "zstd")]
    [InlineData(new byte[] { 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00 }, "xz")]
    [InlineData(new byte[] { 0x42, 0x5a, 0x68, 0x39, 0x31, 0x41 }, "bzip2")]
    public async Task AnotherCompressionSaysHowToDecompress(byte[] magic, string format)
    {
        await File.WriteAllBytesAsync(_temp["layer.tar.x"], [.. magic, .. new byte[1000]]);

        CliResult result = await CliRunner.RunAsync(["import", "-i", _temp["layer.tar.x"], _temp["layer"]]);

        AssertFailure(result, 1, $"wclayer import: {_temp["layer.tar.x"]} is {format}-compressed; wclayer reads tars that are plain or gzip-compressed: decompress it first ({format} -d)");
        Assert.Equal(["layer.tar.x"], _temp.Contents());
    }

    [Fact]
    public async Task ALayerWithWhiteoutsImportedAsABaseSaysToNameItsParents()
    {
        await File.WriteAllBytesAsync(_temp["child.tar"], await SampleLayer.CreateAsync());

        CliResult result = await CliRunner.RunAsync(["import", "-i", _temp["child.tar"], _temp["child"]]);

        AssertFailure(
            result,
            2,
            $"wclayer import: {_temp["child.tar"]} deletes files of a parent layer (Files\\Windows\\Temp\\setup.log), so it is not a base layer: name its parent layers with -l <parent>, immediate parent first");
        Assert.Equal(["child.tar"], _temp.Contents());
    }

    [Fact]
    public async Task VerboseKeepsTheLibrarysExceptionWithItsCode()
    {
        await File.WriteAllBytesAsync(_temp["child.tar"], await SampleLayer.CreateAsync());

        CliResult result = await CliRunner.RunAsync(["import", "--verbose", "-i", _temp["child.tar"], _temp["child"]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("System.IO.InvalidDataException: base layer cannot have tombstones: Files\\Windows\\Temp\\setup.log", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("mount")]
    public async Task ALayerArgumentThatIsNotALayerIsNamed(string command)
    {
        Directory.CreateDirectory(_temp["plain"]);
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);

        CliResult result = await CliRunner.RunAsync(command == "export"
            ? ["export", "-o", _temp["out.tar"], _temp["plain"]]
            : ["mount", "-l", _temp["base"], _temp["plain"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"wclayer {command}: not a layer: {_temp["plain"]}", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(_temp["out.tar"]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp["plain"]));
    }

    [Fact]
    public async Task ANewLayerPathThatHoldsFilesIsRefused()
    {
        Directory.CreateDirectory(_temp["full"]);
        await File.WriteAllTextAsync(Path.Combine(_temp["full"], "keep.txt"), "mine");
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());

        CliResult result = await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["full"]]);

        AssertFailure(result, 1, $"wclayer import: {_temp["full"]} is not empty; a new layer needs a new or empty folder");
        Assert.Equal(["base.tar", "full", Path.Combine("full", "keep.txt")], _temp.Contents());
    }

    [Fact]
    public async Task StoreErrorsSpeakTheUsersOsNotWin32()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // There HCS's own text is the platform's.
        }

        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["scratch"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["mount", "-l", _temp["base"], _temp["scratch"]])).ExitCode);

        CliResult again = await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["scratch"]]);
        CliResult remove = await CliRunner.RunAsync(["remove", _temp["scratch"]]);
        CliResult verbose = await CliRunner.RunAsync(["remove", "--verbose", _temp["scratch"]]);

        AssertFailure(again, 1, $"wclayer create: {_temp["scratch"]}: already exists");
        AssertFailure(remove, 1, $"wclayer remove: {_temp["scratch"]}: the scratch layer is active; deactivate it first");
        Assert.Contains("hcsshim::DestroyLayer failed in Win32: The requested resource is in use. (0xaa)", verbose.Error, StringComparison.Ordinal);
        Assert.Equal(0, (await CliRunner.RunAsync(["unmount", _temp["scratch"]])).ExitCode);
    }

    private static void AssertFailure(CliResult result, int exitCode, string line)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.Equal(line, Assert.Single(result.ErrorLines));
    }
}
