namespace WcLayer.Tests.Cli;

public class ProgramTests
{
    [Fact]
    public async Task HelpNamesTheToolAndListsLs()
    {
        CliResult result = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wclayer [command] [options]", result.Output, StringComparison.Ordinal);
        Assert.Contains("ls <layer.tar>", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("ls")]
    public async Task UsageErrorsExitWithTwo(string command)
    {
        CliResult result = await CliRunner.RunAsync([command]);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEqual(string.Empty, result.Error);
    }
}
