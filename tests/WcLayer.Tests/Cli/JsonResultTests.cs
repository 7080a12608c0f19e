using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace WcLayer.Tests.Cli;

/// <summary><c>--json</c> on every command that prints data, and <c>wclayer info</c>.</summary>
public sealed class JsonResultTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportPrintsTheDigestsOfTheInputAndOfTheTar()
    {
        byte[] tar = await LayerTars.CreateBaseAsync();
        byte[] gzip = Gzip(tar);
        await File.WriteAllBytesAsync(_temp["base.tar.gz"], gzip);

        CliResult result = await CliRunner.RunAsync(["import", "--json", "-i", _temp["base.tar.gz"], _temp["base"]]);

        Assert.Equal(0, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(Assert.Single(result.OutputLines));
        JsonElement o = json.RootElement;
        Assert.Equal(_temp["base"], o.GetProperty("layer").GetString());
        Assert.Equal(0, o.GetProperty("parents").GetArrayLength());
        Assert.True(o.GetProperty("entries").GetInt64() > 5);
        Assert.True(o.GetProperty("bytes").GetInt64() > 0);
        Assert.Equal(Digest(gzip), o.GetProperty("digest").GetString());
        Assert.Equal(gzip.Length, o.GetProperty("size").GetInt64());
        Assert.Equal(Digest(tar), o.GetProperty("diffId").GetString());
    }

    [Fact]
    public async Task ExportPrintsTheDigestsOfTheFileWritten()
    {
        await ImportBaseAsync();

        CliResult result = await CliRunner.RunAsync(["export", "--json", "-z", "-o", _temp["out.tar.gz"], _temp["base"]]);

        Assert.Equal(0, result.ExitCode);
        byte[] written = await File.ReadAllBytesAsync(_temp["out.tar.gz"]);
        using JsonDocument json = JsonDocument.Parse(Assert.Single(result.OutputLines));
        JsonElement o = json.RootElement;
        Assert.Equal(_temp["out.tar.gz"], o.GetProperty("output").GetString());
        Assert.Equal(Digest(written), o.GetProperty("digest").GetString());
        Assert.Equal(written.Length, o.GetProperty("size").GetInt64());
        Assert.Equal(Digest(Gunzip(written)), o.GetProperty("diffId").GetString());
        Assert.True(o.GetProperty("entries").GetInt64() > 5);
    }

    [Fact]
    public async Task ExportJsonNeedsAnOutputFile()
    {
        await ImportBaseAsync();

        CliResult result = await CliRunner.RunAsync(["export", "--json", _temp["base"]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("wclayer export: --json needs -o <file>: standard output carries the tar", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task MountPrintsThePathAndTheMode()
    {
        await ImportBaseAsync();
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["scratch"]])).ExitCode);

        CliResult result = await CliRunner.RunAsync(["mount", "--json", "-l", _temp["base"], _temp["scratch"]]);

        try
        {
            Assert.Equal(0, result.ExitCode);
            using JsonDocument json = JsonDocument.Parse(Assert.Single(result.OutputLines));
            Assert.True(Directory.Exists(json.RootElement.GetProperty("path").GetString()));
            Assert.Contains(json.RootElement.GetProperty("mode").GetString(), new[] { "copy", "overlay", "volume" });
        }
        finally
        {
            await CliRunner.RunAsync(["unmount", _temp["scratch"]]);
        }
    }

    [Fact]
    public async Task AFailureWithJsonEndsWithAnErrorObject()
    {
        CliResult result = await CliRunner.RunAsync(["info", "--json", _temp["missing"]]);

        Assert.Equal(1, result.ExitCode);
        using JsonDocument json = JsonDocument.Parse(Assert.Single(result.OutputLines));
        Assert.Equal($"no such layer: {_temp["missing"]} does not exist", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task InfoShowsKindChainStateAndContent()
    {
        await ImportBaseAsync();
        await File.WriteAllBytesAsync(_temp["child.tar"], await Samples.SampleLayer.CreateAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-l", _temp["base"], "-i", _temp["child.tar"], _temp["child"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["child"], "-l", _temp["base"], _temp["scratch"]])).ExitCode);

        CliResult baseInfo = await CliRunner.RunAsync(["info", "--json", _temp["base"]]);
        CliResult childInfo = await CliRunner.RunAsync(["info", "--json", _temp["child"]]);
        CliResult scratchInfo = await CliRunner.RunAsync(["info", "--json", _temp["scratch"]]);
        CliResult text = await CliRunner.RunAsync(["info", _temp["child"]]);

        using JsonDocument b = JsonDocument.Parse(Assert.Single(baseInfo.OutputLines));
        using JsonDocument c = JsonDocument.Parse(Assert.Single(childInfo.OutputLines));
        using JsonDocument s = JsonDocument.Parse(Assert.Single(scratchInfo.OutputLines));
        Assert.Equal("base", b.RootElement.GetProperty("kind").GetString());
        Assert.Equal(0, b.RootElement.GetProperty("deletions").GetInt64());
        Assert.Equal("layer", c.RootElement.GetProperty("kind").GetString());
        Assert.Equal([_temp["base"]], c.RootElement.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, c.RootElement.GetProperty("deletions").GetInt64());
        Assert.True(c.RootElement.GetProperty("files").GetInt64() > 0);
        Assert.True(c.RootElement.GetProperty("size").GetInt64() > 0);
        Assert.Equal("scratch", s.RootElement.GetProperty("kind").GetString());
        Assert.Equal([_temp["child"], _temp["base"]], s.RootElement.GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        Assert.False(s.RootElement.GetProperty("state").GetProperty("prepared").GetBoolean());
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("kind:        layer", text.Output, StringComparison.Ordinal);
        Assert.Contains($"chain:       {_temp["base"]}", text.Output, StringComparison.Ordinal);
    }

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }

    private async Task ImportBaseAsync()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
    }
}
