using System.Globalization;

namespace WcLayer;

/// <summary>
/// A file-system operation inside a layer folder failed, as hcsshim's <c>os.PathError</c>:
/// <c>open /layers/x/Files/a: The system cannot find the path specified.</c> The Win32 code is the one Windows
/// would report for the same condition, on every OS.
/// </summary>
public class LayerPathException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The operation: <c>open</c>, <c>mkdir</c>, <c>remove</c>, <c>link</c>, <c>stat</c>, …</param>
    /// <param name="path">The full path the operation was applied to.</param>
    /// <param name="errorCode">The Win32 error code.</param>
    /// <param name="detail">A more precise message than the system message, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public LayerPathException(string operation, string path, int errorCode, string? detail = null, Exception? innerException = null)
        : base(string.Create(CultureInfo.InvariantCulture, $"{operation} {path}: {detail ?? Win32Error.GetMessage(errorCode)}"), innerException)
    {
        Operation = operation;
        Path = path;
        ErrorCode = errorCode;
        HResult = Win32Error.ToHResult(errorCode);
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public LayerPathException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public LayerPathException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
        Path = string.Empty;
        ErrorCode = Win32Error.GenFailure;
    }

    /// <summary>Creates the exception with no message.</summary>
    public LayerPathException()
        : this("A file-system operation in a layer failed.")
    {
    }

    /// <summary>The operation.</summary>
    public string Operation { get; }

    /// <summary>The full path.</summary>
    public string Path { get; }

    /// <summary>The Win32 error code (e.g. 2 not found, 3 path not found, 183 already exists, 4395 reparse point encountered).</summary>
    public int ErrorCode { get; }

    /// <summary>
    /// The same error with <paramref name="from"/> in its path replaced by <paramref name="to"/>: a store that builds a
    /// layer in a hidden folder reports the layer's own path, never the hidden one.
    /// </summary>
    internal LayerPathException Relocated(string from, string to)
    {
        if (!Path.Contains(from, StringComparison.Ordinal))
        {
            return this;
        }

        string prefix = Operation + " " + Path + ": ";
        string? detail = Message.StartsWith(prefix, StringComparison.Ordinal) ? Message[prefix.Length..] : null;
        return new LayerPathException(Operation, Path.Replace(from, to, StringComparison.Ordinal), ErrorCode, detail, this);
    }

    /// <summary>Whether the error means the path does not exist (Go's <c>os.IsNotExist</c>).</summary>
    public bool IsNotFound => ErrorCode is Win32Error.FileNotFound or Win32Error.PathNotFound or Win32Error.BadNetPath;
}
