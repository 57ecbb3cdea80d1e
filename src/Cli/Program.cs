using XRight.Cli;

return XRightApp.Run(args);
