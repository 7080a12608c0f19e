using WcLayer.Cli;

namespace WcLayer.Tests.Cli;

/// <summary>A command line that is not understood does nothing, says so in one line on standard error, and exits 2.</summary>
[Collection(CurrentDirectoryCollection.Name)]
public sealed class CommandLineTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AMistypedOptionIsNotALayerPath()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());

        CliResult result = await RunInTempAsync(["import", "-i", _temp["base.tar"], "--inptu"]);

        AssertUsageError(result, "wclayer import: unknown option '--inptu'; did you mean '--input'?");
        Assert.Equal(["base.tar"], _temp.Contents());
    }

    [Theory]
    [InlineData("export", "--outptu", "did you mean '--output'?")]
    [InlineData("export", "-gzpi", "did you mean '--gzip'?")]
    [InlineData("import", "--verbsoe", "did you mean '--verbose'?")]
    [InlineData("ls", "--jsno", "did you mean '--json'?")]
    [InlineData("import", "--frobnicate", "a path that starts with '-' goes after '--'")]
    public async Task AnUnknownOptionNamesTheClosestOne(string command, string option, string hint)
    {
        CliResult result = await RunInTempAsync([command, option, _temp["layer"]]);

        AssertUsageError(result, $"wclayer {command}: unknown option '{option}'");
        Assert.Contains(hint, result.Error, StringComparison.Ordinal);
        Assert.Empty(_temp.Contents());
    }

    [Fact]
    public async Task AnUnknownCommandNamesTheClosestOne()
    {
        CliResult result = await CliRunner.RunAsync(["imprt", "x"]);

        AssertUsageError(result, "wclayer: unknown command 'imprt'; did you mean 'import'?");
    }

    [Fact]
    public async Task NoCommandIsAUsageErrorWithoutTheHelpText()
    {
        CliResult result = await CliRunner.RunAsync([]);

        AssertUsageError(result, "wclayer: a command is required; see 'wclayer --help' for the list");
    }

    [Fact]
    public async Task AMissingArgumentIsAUsageError()
    {
        CliResult result = await CliRunner.RunAsync(["ls"]);

        AssertUsageError(result, "wclayer ls: ");
        Assert.Contains("(see 'wclayer ls --help')", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APathThatStartsWithADashIsAcceptedAfterDoubleDash()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());

        CliResult refused = await RunInTempAsync(["import", "-i", _temp["base.tar"], "-layer-dir"]);
        CliResult accepted = await RunInTempAsync(["import", "-i", _temp["base.tar"], "--", "-layer-dir"]);

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal(0, accepted.ExitCode);
        Assert.True(Directory.Exists(_temp["-layer-dir"]));
    }

    [Fact]
    public async Task AnOptionValueThatLooksLikeAnOptionIsRefused()
    {
        CliResult result = await RunInTempAsync(["export", "-o", "-gzpi", _temp["layer"]]);

        AssertUsageError(result, "wclayer export: unknown option '-gzpi'; did you mean '--gzip'?");
        Assert.Empty(_temp.Contents());
    }

    [Fact]
    public async Task HcsshimsSingleDashLongOptionsWork()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-input", _temp["base.tar"], _temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-layer", _temp["base"], _temp["scratch"]])).ExitCode);

        CliResult export = await CliRunner.RunAsync(["export", "-gzip", "-output", _temp["base.tar.gz"], _temp["base"]]);

        Assert.Equal(0, export.ExitCode);
        Assert.Equal([0x1f, 0x8b], (await File.ReadAllBytesAsync(_temp["base.tar.gz"]))[..2]);
    }

    [Fact]
    public async Task OptionsAreNotBundled()
    {
        CliResult result = await RunInTempAsync(["export", "-zo", _temp["out.tar"], _temp["layer"]]);

        AssertUsageError(result, "wclayer export: unknown option '-zo'");
    }

    [Fact]
    public async Task AnAtSignIsAPathNotAResponseFile()
    {
        await File.WriteAllTextAsync(_temp["args"], "--help");

        CliResult result = await CliRunner.RunAsync(["ls", "@" + _temp["args"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("@" + _temp["args"], Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpIsPrintedOnlyOnRequestAndToStandardOutput()
    {
        CliResult help = await CliRunner.RunAsync(["import", "--help"]);
        CliResult wrong = await CliRunner.RunAsync(["import", "--bogus", "x"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("-i, --input", help.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, help.Error);
        Assert.Equal(string.Empty, wrong.Output);
    }

    [Fact]
    public async Task VersionPrintsOneLine()
    {
        CliResult result = await CliRunner.RunAsync(["--version"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\S*$", Assert.Single(result.OutputLines));
    }

    [Fact]
    public async Task ACommandThatCannotDoWhatIsAskedExitsWithTwo()
    {
        CliResult result = await CliRunner.RunAsync(["create", _temp["scratch"]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
    }

    [Fact]
    public async Task ExportRefusesToWriteATarToATerminal()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        var output = new StringWriter();
        var error = new StringWriter { NewLine = "\n" };
        var terminal = new MemoryStream();
        var console = new CliConsole(() => Stream.Null, output, error, OpenStandardOutput: () => terminal, OutputIsTerminal: true);

        int exitCode = await Program.RunAsync(["export", _temp["base"]], console);

        Assert.Equal(2, exitCode);
        Assert.Equal(0, terminal.Length);
        Assert.StartsWith("wclayer export: refusing to write a tar to a terminal; use -o <file>", error.ToString(), StringComparison.Ordinal);
    }

    private static void AssertUsageError(CliResult result, string start)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.StartsWith(start, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    // Relative paths land in the temporary folder, so a token mistaken for a path would show up there.
    private async Task<CliResult> RunInTempAsync(string[] args)
    {
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = _temp.Path;
        try
        {
            return await CliRunner.RunAsync(args);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
