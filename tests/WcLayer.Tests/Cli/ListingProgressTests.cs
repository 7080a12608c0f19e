namespace WcLayer.Tests.Cli;

/// <summary><c>ls</c> of a layer folder (or a tar) shows its progress on the terminal when the listing goes to a file or a pipe.</summary>
public sealed class ListingProgressTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task A_listing_sent_elsewhere_draws_progress_and_one_on_the_terminal_does_not(bool outputIsTerminal, bool expectProgress)
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new WcLayer.Cli.CliConsole(() => Stream.Null, output, error, ErrorIsTerminal: true, () => Stream.Null, OutputIsTerminal: outputIsTerminal);

        Assert.Equal(0, await WcLayer.Cli.Program.RunAsync(["ls", _temp["base"]], console));

        Assert.Contains("Files/Windows", output.ToString(), StringComparison.Ordinal);
        if (expectProgress)
        {
            Assert.StartsWith("\rlisting", error.ToString(), StringComparison.Ordinal);
            Assert.Contains(" entries, ", error.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("\n", error.ToString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(string.Empty, error.ToString());
        }
    }
}
