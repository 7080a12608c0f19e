namespace WcLayer.Tests.Cli;

/// <summary>
/// <c>wclayer remove</c> as a hostile or careless user runs it, on decoys only: a plain folder and a link to a canary
/// folder outside the store are refused with one line and exit 1, and nothing is deleted.
/// </summary>
public sealed class RemoveCommandSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly TempFolder _outside = new();

    public void Dispose()
    {
        _temp.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task Remove_refuses_a_plain_folder_and_a_link_and_deletes_nothing()
    {
        Directory.CreateDirectory(_temp["junk"]);
        await File.WriteAllTextAsync(Path.Combine(_temp["junk"], "file.txt"), "keep");
        Directory.CreateDirectory(_outside["precious"]);
        await File.WriteAllTextAsync(Path.Combine(_outside["precious"], "canary.txt"), "keep");
        File.CreateSymbolicLink(_temp["link"], _outside["precious"]);

        foreach (string target in new[] { _temp["junk"], _temp["link"], _temp["link"] + "/" })
        {
            CliResult result = await CliRunner.RunAsync(["remove", target]);

            Assert.Equal(1, result.ExitCode);
            string line = Assert.Single(result.ErrorLines);
            Assert.StartsWith("wclayer remove: ", line, StringComparison.Ordinal);
            Assert.Contains("nothing was deleted", line, StringComparison.Ordinal);
        }

        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(_temp["junk"], "file.txt")));
        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(_outside["precious"], "canary.txt")));
    }

    [Fact]
    public async Task Remove_deletes_a_layer_whole()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);

        CliResult result = await CliRunner.RunAsync(["remove", _temp["base"]]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["base.tar"], _temp.Contents());
    }
}
