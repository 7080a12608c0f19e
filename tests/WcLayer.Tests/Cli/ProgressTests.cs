using WcLayer.Cli;

namespace WcLayer.Tests.Cli;

/// <summary>Progress lines appear on standard error only when it is a terminal.</summary>
public sealed class ProgressTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ImportAndExportDrawOneUpdatingLineOnATerminal()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());

        string import = await RunOnTerminalAsync(["import", "-i", _temp["base.tar"], _temp["base"]]);
        string export = await RunOnTerminalAsync(["export", "-o", _temp["out.tar"], _temp["base"]]);

        foreach ((string error, string verb) in new[] { (import, "importing: "), (export, "exporting: ") })
        {
            Assert.StartsWith("\r" + verb, error, StringComparison.Ordinal);
            Assert.EndsWith("\n", error, StringComparison.Ordinal);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(" entries, ", error, StringComparison.Ordinal);
            Assert.Contains(" MiB/s ", error, StringComparison.Ordinal);
        }
    }

    private static async Task<string> RunOnTerminalAsync(string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(() => Stream.Null, output, error, ErrorIsTerminal: true, () => Stream.Null);
        Assert.Equal(0, await Program.RunAsync(args, console));
        Assert.Equal(string.Empty, output.ToString());
        return error.ToString();
    }
}
