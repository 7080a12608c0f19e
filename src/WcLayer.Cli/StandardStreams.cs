using Microsoft.Win32.SafeHandles;

namespace WcLayer.Cli;

/// <summary>The process's standard output as a byte stream that reports a closed reader.</summary>
internal static class StandardStreams
{
    private const int StandardOutputDescriptor = 1;

    /// <summary>
    /// Opens standard output for a tar. .NET's console stream ignores a broken pipe (so <c>export | head -c 100</c>
    /// would look like a success); a file stream over descriptor 1 raises it as an <see cref="IOException"/>.
    /// </summary>
    /// <returns>The stream; disposing it leaves descriptor 1 open.</returns>
    public static Stream OpenOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.OpenStandardOutput();
        }

        try
        {
            return new FileStream(new SafeFileHandle(StandardOutputDescriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // A descriptor .NET will not wrap (closed, or opened read-only): the console stream still works.
            return Console.OpenStandardOutput();
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the reader of a pipe having gone away.</summary>
    /// <param name="exception">An I/O failure.</param>
    /// <returns><see langword="true"/> for EPIPE (Unix) or ERROR_BROKEN_PIPE / ERROR_NO_DATA (Windows).</returns>
    public static bool IsBrokenPipe(IOException exception) =>
        OperatingSystem.IsWindows()
            ? exception.HResult is unchecked((int)0x8007006D) or unchecked((int)0x800700E8)
            : exception.HResult == 32 && exception.GetType() == typeof(IOException);
}
