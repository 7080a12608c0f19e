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

    [Fact]
    public void TheFirstReportDrawsAtOnceAndLaterOnesAtMostTenTimesASecond()
    {
        var error = new StringWriter { NewLine = "\n" };
        var clock = new FakeClock();
        var progress = new TerminalProgress(error, "importing", 80, clock);

        progress.Report(new LayerProgress(1, 1024 * 1024, "Files/a"));
        Assert.Equal(1, Draws(error));

        // 30 ms apart: 40 reports over 1.2 s give one draw per 100 ms, not one per report and not none.
        for (int i = 2; i <= 41; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(30));
            progress.Report(new LayerProgress(i, i * 1024L * 1024, $"Files/{i}"));
        }

        Assert.InRange(Draws(error), 11, 14);
        Assert.Contains("importing: 41 entries, 41.0 MiB, 34.2 MiB/s Files/41", error.ToString(), StringComparison.Ordinal);

        progress.Dispose();
        Assert.EndsWith("\n", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ALongNameKeepsItsEndAndTheLineFitsTheTerminal()
    {
        var error = new StringWriter { NewLine = "\n" };
        var progress = new TerminalProgress(error, "exporting", 60, new FakeClock());

        progress.Report(new LayerProgress(3, 0, "Files/" + new string('d', 100) + "/file.txt"));

        string line = error.ToString().TrimStart('\r');
        Assert.Equal(59, line.Length);
        Assert.EndsWith("/file.txt", line, StringComparison.Ordinal);
    }

    private static int Draws(StringWriter error) => error.ToString().Count(c => c == '\r');

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
