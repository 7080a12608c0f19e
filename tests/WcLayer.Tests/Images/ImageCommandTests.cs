using System.Text.Json.Nodes;
using WcLayer.Tests.Cli;

namespace WcLayer.Tests.Images;

/// <summary>The <c>wclayer image</c> commands and <c>wclayer ls &lt;image&gt;</c> end to end, in-process.</summary>
public sealed class ImageCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task UnpackImportCommitListUnpackAgain()
    {
        byte[] baseTar = await ImageTestData.BaseAsync();
        byte[] topTar = await ImageTestData.TopAsync();
        new TestImageBuilder().Layer(baseTar).WriteLayout(_temp["image"]);
        await File.WriteAllBytesAsync(_temp["top.tar"], topTar);

        CliResult unpack = await CliRunner.RunAsync(["image", "unpack", _temp["image"], _temp["store"]]);
        Assert.Equal((0, string.Empty), (unpack.ExitCode, unpack.Error));
        string baseLayer = Assert.Single(unpack.OutputLines);
        Assert.Equal(_temp["store/sha256-" + TestImageBuilder.Sha256(baseTar)[7..]], baseLayer);

        CliResult import = await CliRunner.RunAsync(["import", "-l", baseLayer, "-i", _temp["top.tar"], _temp["diff"]]);
        Assert.Equal(0, import.ExitCode);
        CliResult commit = await CliRunner.RunAsync(["image", "commit", _temp["image"], _temp["diff"], _temp["image"], "-l", baseLayer, "--tag", "2.0", "--compression", "zstd"]);
        Assert.Equal((0, string.Empty), (commit.ExitCode, commit.Error));
        Assert.StartsWith("sha256:", Assert.Single(commit.OutputLines), StringComparison.Ordinal);

        CliResult layers = await CliRunner.RunAsync(["ls", _temp["image"], "--ref", "2.0"]);
        Assert.Equal(0, layers.ExitCode);
        Assert.Equal(2, layers.OutputLines.Length);
        Assert.Contains("application/vnd.oci.image.layer.v1.tar+zstd", layers.OutputLines[1], StringComparison.Ordinal);

        CliResult entries = await CliRunner.RunAsync(["ls", _temp["image"], "--ref", "2.0", "--layer", "1"]);
        CliResult direct = await CliRunner.RunAsync(["ls", "-l", baseLayer, _temp["diff"]]);
        Assert.Equal((0, string.Empty), (entries.ExitCode, entries.Error));
        Assert.Equal(direct.OutputLines, entries.OutputLines);

        CliResult json = await CliRunner.RunAsync(["image", "unpack", "--json", "--ref", "2.0", _temp["image"], _temp["store"]]);
        Assert.Equal(0, json.ExitCode);
        JsonNode result = JsonNode.Parse(json.Output)!;
        Assert.Equal([false, true], result["layers"]!.AsArray().Select(l => l!["imported"]!.GetValue<bool>()));
        Assert.Equal(baseLayer, result["chain"]![1]!.GetValue<string>());
        Assert.Equal("windows/amd64:" + TestImageBuilder.WindowsVersion, result["platform"]!.GetValue<string>());
    }

    [Fact]
    public async Task ALyingImageFailsWithOneLineAndLeavesNoLayer()
    {
        new TestImageBuilder { EditConfig = c => c["rootfs"]!["diff_ids"]![0] = "sha256:" + new string('1', 64) }.Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);

        CliResult unpack = await CliRunner.RunAsync(["image", "unpack", _temp["image"], _temp["store"]]);

        Assert.Equal(1, unpack.ExitCode);
        string error = Assert.Single(unpack.ErrorLines);
        Assert.StartsWith("wclayer image unpack: layer 0 (sha256:1111", error, StringComparison.Ordinal);
        Assert.Contains("diff_id", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_temp["store"]));
    }

    [Fact]
    public async Task LsOfAPlainLayerTarStillListsItsEntries()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await ImageTestData.BaseAsync());

        CliResult ls = await CliRunner.RunAsync(["ls", _temp["base.tar"]]);

        Assert.Equal(0, ls.ExitCode);
        Assert.Contains(ls.OutputLines, l => l.EndsWith("Files/Windows", StringComparison.Ordinal) || l.Contains("Files/Windows ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LsOfAnImageRejectsALayerNumberOutOfRange()
    {
        new TestImageBuilder().Layer(await ImageTestData.BaseAsync()).WriteLayout(_temp["image"]);

        CliResult ls = await CliRunner.RunAsync(["ls", _temp["image"], "--layer", "5"]);

        Assert.Equal(1, ls.ExitCode);
        Assert.Contains("the image has 1 layers", ls.Error, StringComparison.Ordinal);
    }
}
