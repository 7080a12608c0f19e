using WcLayer.Cli;

namespace WcLayer.Tests.Cli;

/// <summary>Runs <c>wclayer</c> in-process with captured standard streams.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(string[] args, byte[]? stdin = null) =>
        (await RunWithBinaryOutputAsync(args, stdin)).Result;

    /// <summary>Runs with standard output also open as bytes (what <c>export</c> writes a tar to).</summary>
    public static async Task<(CliResult Result, byte[] BinaryOutput)> RunWithBinaryOutputAsync(string[] args, byte[]? stdin = null)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var binaryOutput = new MemoryStream();
        var console = new CliConsole(() => new MemoryStream(stdin ?? []), output, error, ErrorIsTerminal: false, () => new KeepOpenStream(binaryOutput));
        int exitCode = await Program.RunAsync(args, console);
        return (new CliResult(exitCode, output.ToString(), error.ToString()), binaryOutput.ToArray());
    }

    // The command disposes standard output when it is done; the test still has to read it.
    private sealed class KeepOpenStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
