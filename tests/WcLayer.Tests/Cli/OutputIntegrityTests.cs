using WcLayer.Cli;

namespace WcLayer.Tests.Cli;

/// <summary>
/// Outputs that cannot lie (issue 8, item 7): a broken pipe is a failure, an output file appears only whole, a killed
/// import leaves no layer folder, and a full standard error never crashes the tool.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class OutputIntegrityTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ABrokenPipeOnStandardOutputFailsExportWithOneLine()
    {
        await ImportBaseAsync();
        var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(() => Stream.Null, new StringWriter(), error, OpenStandardOutput: () => new ClosingPipe(100));

        int exitCode = await Program.RunAsync(["export", _temp["base"]], console);

        Assert.Equal(1, exitCode);
        Assert.Equal(
            "wclayer export: the reader of the output stopped before the end (broken pipe): the output is incomplete",
            Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task ExportPipedIntoHeadExitsWithOne()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Needs sh, /dev/full and POSIX signals.
        }
        await ImportBaseAsync();

        // A pipeline's status is head's: the tool's own goes out on descriptor 3.
        CliResult tool = await CliProcess.RunScriptAsync(
            "{ wclayer export base; echo \"tool=$?\" >&3; } 3>&2 | head -c 100 > /dev/null", _temp.Path);

        string[] lines = tool.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["wclayer export: the reader of the output stopped before the end (broken pipe): the output is incomplete", "tool=1"], lines);
    }

    [Fact]
    public async Task AnOutputFileHasItsNameOnlyWhenWhole()
    {
        await ImportBaseAsync();
        await File.WriteAllTextAsync(_temp["out.tar"], "the previous file");
        var seen = new List<string[]>();
        var error = new ObservingWriter(() => seen.Add(_temp.Contents()));
        var console = new CliConsole(() => Stream.Null, new StringWriter(), error, ErrorIsTerminal: true);

        int exitCode = await Program.RunAsync(["export", "-o", _temp["out.tar"], _temp["base"]], console);

        Assert.Equal(0, exitCode);

        // While the tar is written, the previous file is untouched and the new one has a hidden temporary name.
        Assert.NotEmpty(seen);
        string[] during = seen[0];
        Assert.Contains(during, name => name.StartsWith(".out.tar.wclayer-tmp-", StringComparison.Ordinal));
        Assert.DoesNotContain(_temp.Contents(), name => name.Contains("wclayer-tmp", StringComparison.Ordinal));
        Assert.NotEqual("the previous file", await File.ReadAllTextAsync(_temp["out.tar"]));
    }

    [Fact]
    public async Task AnExportRemovesTheTemporaryAKilledExportLeftButNotALiveOneOrALink()
    {
        await ImportBaseAsync();
        string abandoned = _temp[".out.tar.wclayer-tmp-0123456789ab"];
        await File.WriteAllTextAsync(abandoned, "half a tar");
        string live = _temp[".out.tar.wclayer-tmp-ba9876543210"];
        string canary = _temp["canary.txt"];
        await File.WriteAllTextAsync(canary, "keep");
        string link = _temp[".out.tar.wclayer-tmp-111111111111"];
        File.CreateSymbolicLink(link, canary);
        string other = _temp[".other.tar.wclayer-tmp-222222222222"];
        await File.WriteAllTextAsync(other, "another output's");

        // A writer that is still at work holds its temporary as the tool does.
        await using (new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            CliResult result = await CliRunner.RunAsync(["export", "-o", _temp["out.tar"], _temp["base"]]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(live));
        Assert.Equal(canary, new FileInfo(link).LinkTarget);
        Assert.Equal("keep", await File.ReadAllTextAsync(canary));
        Assert.True(File.Exists(other));
        Assert.True(File.Exists(_temp["out.tar"]));
    }

    [Fact]
    public async Task AFailedExportKeepsThePreviousFileAndLeavesNoTemporary()
    {
        await File.WriteAllTextAsync(_temp["out.tar"], "the previous file");
        Directory.CreateDirectory(_temp["notalayer"]);

        CliResult result = await CliRunner.RunAsync(["export", "-o", _temp["out.tar"], _temp["notalayer"]]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("the previous file", await File.ReadAllTextAsync(_temp["out.tar"]));
        Assert.Equal(["notalayer", "out.tar"], _temp.Contents());
    }

    [Fact]
    public async Task ADeviceAsOutputIsWrittenNotReplaced()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Needs sh, /dev/full and POSIX signals.
        }
        await ImportBaseAsync();

        CliResult result = await CliRunner.RunAsync(["export", "-o", "/dev/null", _temp["base"]]);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists("/dev/.null.wclayer-tmp"));
        Assert.DoesNotContain(Directory.EnumerateFiles("/dev", ".null*"), _ => true);
    }

    [Fact]
    public async Task AKilledImportLeavesNoLayerFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Needs sh, /dev/full and POSIX signals.
        }
        byte[] tar = await LayerTars.CreateBaseAsync();

        // The import reads standard input that never ends: it is killed mid-way, deterministically.
        using var process = CliProcess.Start("wclayer_exec import layer", _temp.Path);
        await process.StandardInput.BaseStream.WriteAsync(tar.AsMemory(0, tar.Length / 2));
        await process.StandardInput.BaseStream.FlushAsync();
        await WaitUntilAsync(() => _temp.Contents().Any(name => name.Contains("wclayer-tmp", StringComparison.Ordinal)));

        process.Kill();
        await process.WaitForExitAsync();

        Assert.False(Directory.Exists(_temp["layer"]));
        CliResult retry = await CliRunner.RunAsync(["import", "-i", await WriteAsync("base.tar", tar), _temp["layer"]]);
        Assert.Equal(0, retry.ExitCode);
        Assert.DoesNotContain(_temp.Contents(), name => name.Contains("wclayer-tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AFullStandardErrorDoesNotCrashTheTool()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Needs sh, /dev/full and POSIX signals.
        }

        CliResult failure = await CliProcess.RunScriptAsync("wclayer ls missing.tar 2>/dev/full; echo \"exit=$?\"", _temp.Path);
        CliResult usage = await CliProcess.RunScriptAsync("wclayer lls 2>/dev/full; echo \"exit=$?\"", _temp.Path);
        CliResult verbose = await CliProcess.RunScriptAsync("wclayer ls -v missing.tar 2>/dev/full; echo \"exit=$?\"", _temp.Path);

        Assert.Equal("exit=1\n", failure.Output);
        Assert.Equal("exit=2\n", usage.Output);
        Assert.Equal("exit=1\n", verbose.Output);
    }

    [Fact]
    public async Task AFullStandardErrorInProcessStillGivesTheExitCode()
    {
        var console = new CliConsole(() => Stream.Null, new StringWriter(), new FullWriter());

        Assert.Equal(1, await Program.RunAsync(["ls", _temp["missing.tar"]], console));
        Assert.Equal(2, await Program.RunAsync(["lls"], console));
    }

    [Fact]
    public async Task AFullStandardOutputFailsTheListing()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Needs sh, /dev/full and POSIX signals.
        }
        await File.WriteAllBytesAsync(_temp["sample.tar"], await Samples.SampleLayer.CreateAsync());

        CliResult result = await CliProcess.RunScriptAsync("wclayer ls sample.tar > /dev/full", _temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("wclayer: cannot write standard output: No space left on device", Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private async Task<string> WriteAsync(string name, byte[] bytes)
    {
        await File.WriteAllBytesAsync(_temp[name], bytes);
        return _temp[name];
    }

    private async Task ImportBaseAsync()
    {
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", await WriteAsync("base.tar", await LayerTars.CreateBaseAsync()), _temp["base"]])).ExitCode);
    }

    /// <summary>A pipe whose reader goes away after some bytes, as <c>head -c</c> does.</summary>
    private sealed class ClosingPipe(int capacity) : WriteOnlyStream
    {
        private int _written;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _written += buffer.Length;
            if (_written > capacity)
            {
                throw new IOException("Broken pipe", OperatingSystem.IsWindows() ? unchecked((int)0x8007006D) : 32);
            }
        }
    }

    /// <summary>Standard error on a full disk.</summary>
    private sealed class FullWriter : StringWriter
    {
        public override void Write(char value) => throw new IOException("No space left on device", 28);

        public override void Write(string? value) => throw new IOException("No space left on device", 28);

        public override Task WriteLineAsync(string? value) => throw new IOException("No space left on device", 28);

        public override Task FlushAsync() => throw new IOException("No space left on device", 28);
    }

    /// <summary>A terminal that runs a check each time progress is drawn.</summary>
    private sealed class ObservingWriter(Action onDraw) : StringWriter
    {
        public override void Write(string? value)
        {
            if (value?.StartsWith('\r') == true)
            {
                onDraw();
            }

            base.Write(value);
        }
    }
}
