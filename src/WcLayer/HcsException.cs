using System.Globalization;

namespace WcLayer;

/// <summary>
/// A failed layer operation, formatted as hcsshim's <c>HcsError</c>:
/// <c>hcsshim::ImportLayer failed in Win32: The system cannot find the path specified. (0x3)</c>, followed by
/// the layer path. Both backends throw it with the same codes for the same conditions.
/// </summary>
public class HcsException : IOException
{
    /// <summary>Creates an exception for a failed operation.</summary>
    /// <param name="operation">The operation as hcsshim names its span, e.g. <c>hcsshim::ImportLayer</c>.</param>
    /// <param name="hresult">The HRESULT (a Win32 code is accepted too and converted).</param>
    /// <param name="path">The layer path, if any.</param>
    /// <param name="detail">Text hcsshim appends after the code, e.g. <c>(first call)</c>.</param>
    /// <param name="systemMessage">The system message; by default the English text for the code.</param>
    /// <param name="innerException">The cause, if any.</param>
    public HcsException(string operation, int hresult, string? path = null, string? detail = null, string? systemMessage = null, Exception? innerException = null)
        : base(Format(operation, hresult, path, detail, systemMessage, out int error), innerException)
    {
        Operation = operation;
        HResult = hresult > 0 ? Win32Error.ToHResult(hresult) : hresult;
        ErrorCode = error;
        LayerPath = path;
        Detail = detail;
        SystemMessage = systemMessage ?? Win32Error.GetMessage(error);
    }

    /// <summary>Creates an exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public HcsException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public HcsException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Operation = string.Empty;
        ErrorCode = Win32Error.GenFailure;
        SystemMessage = message;
    }

    /// <summary>
    /// Creates an exception whose text is not hcsshim's <c>HcsError</c> shape (a Go <c>os.PathError</c> or DLL error
    /// message) but which still carries the operation, the code and the path.
    /// </summary>
    internal HcsException(string message, string operation, int errorCode, string? path, Exception? innerException)
        : base(message, innerException)
    {
        Operation = operation;
        ErrorCode = errorCode;
        HResult = errorCode > 0 ? Win32Error.ToHResult(errorCode) : errorCode;
        LayerPath = path;
        SystemMessage = Win32Error.GetMessage(errorCode);
    }

    /// <summary>Creates an exception with no message.</summary>
    public HcsException()
        : this("The layer operation failed.")
    {
    }

    /// <summary>The operation, e.g. <c>hcsshim::ImportLayer</c>.</summary>
    public string Operation { get; }

    /// <summary>The error as hcsshim reports it: the Win32 code for FACILITY_WIN32 HRESULTs, else the HRESULT.</summary>
    public int ErrorCode { get; }

    /// <summary>The layer path the operation was given, if any.</summary>
    public string? LayerPath { get; }

    /// <summary>Text appended after the code, e.g. <c>(first call)</c>.</summary>
    public string? Detail { get; }

    /// <summary>The system message for <see cref="ErrorCode"/>.</summary>
    public string SystemMessage { get; }

    private static string Format(string operation, int hresult, string? path, string? detail, string? systemMessage, out int error)
    {
        error = hresult > 0 ? hresult : Win32Error.FromHResult(hresult);
        string message = systemMessage ?? Win32Error.GetMessage(error);
        string title = operation.Length == 0 || operation.EndsWith(' ') ? operation : operation + " ";
        string text = string.Create(CultureInfo.InvariantCulture, $"{title}failed in Win32: {message} (0x{(uint)error:x})");
        if (!string.IsNullOrEmpty(detail))
        {
            text += detail.StartsWith(' ') ? detail : " " + detail;
        }

        return path is null ? text : text + ": " + path;
    }
}
