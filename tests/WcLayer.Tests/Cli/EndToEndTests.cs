namespace WcLayer.Tests.Cli;

/// <summary>
/// The tool as a user runs it: a separate process, through a shell. CI runs these twice: against the JIT build, and
/// against the native AOT binary (<c>WCLAYER_EXE</c>, set by <c>.ci/native-e2e.sh</c>).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class EndToEndTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task VersionAndHelp()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The scripts are sh.
        }

        CliResult version = await CliProcess.RunScriptAsync("wclayer --version", _temp.Path);
        CliResult help = await CliProcess.RunScriptAsync("wclayer --help", _temp.Path);

        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\S*\n$", version.Output);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("import", help.Output, StringComparison.Ordinal);
        Assert.Contains("info", help.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASessionFromImportToRemove()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        await File.WriteAllBytesAsync(_temp["sample.tar"], await Samples.SampleLayer.CreateAsync());

        CliResult session = await CliProcess.RunScriptAsync(
            """
            set -e
            wclayer import -i base.tar layers/base
            gzip -c sample.tar | wclayer import -l layers/base layers/sample
            wclayer ls sample.tar > sample.ls
            wclayer ls layers/sample > layer.ls
            test "$(wc -l < sample.ls)" = "$(wc -l < layer.ls)"
            wclayer create -l layers/sample -l layers/base layers/work
            mount=$(wclayer mount -l layers/sample -l layers/base layers/work)
            echo hello > "$mount/hello.txt"
            rm "$mount/Windows/win.ini"
            wclayer unmount layers/work
            wclayer diff layers/work | awk '{print $1, $NF}'
            wclayer export -z -o work.tar.gz layers/work
            wclayer ls work.tar.gz > work.ls
            wclayer info --json layers/sample
            wclayer remove layers/work
            wclayer remove layers/sample
            wclayer remove layers/base
            ls layers | wc -l
            """,
            _temp.Path);

        Assert.True(session.ExitCode == 0, $"exit code {session.ExitCode}: {session.Error}");
        Assert.Matches("^wclayer mount: (overlay|reflink|copy) mode\n$", session.Error); // mount reports the scratch mode
        string[] lines = session.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("- Files/hello.txt", lines);
        Assert.Contains("w Files/Windows/.wh.win.ini", lines);
        Assert.Contains(lines, l => l.StartsWith("{\"path\":", StringComparison.Ordinal) && l.Contains("\"kind\":\"layer\"", StringComparison.Ordinal));
        Assert.Equal("0", lines[^1].Trim());
        Assert.Contains("Files/hello.txt", await File.ReadAllTextAsync(_temp["work.ls"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorsAndFailuresHaveTheirExitCodes()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        CliResult result = await CliProcess.RunScriptAsync(
            """
            wclayer imprt x; echo "imprt=$?"
            wclayer import -i nonexist.tar layer; echo "missing=$?"
            wclayer export layer > /dev/null; echo "notalayer=$?"
            """,
            _temp.Path);

        Assert.Equal("imprt=2\nmissing=1\nnotalayer=1\n", result.Output);
        Assert.Equal(
            [
                "wclayer: unknown command 'imprt'; did you mean 'import'? (see 'wclayer --help')",
                $"wclayer import: {_temp["nonexist.tar"]}: no such file",
                $"wclayer export: no such layer: {_temp["layer"]} does not exist",
            ],
            result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(_temp.Contents());
    }
}
