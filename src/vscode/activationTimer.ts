// Set by esbuild's banner and footer around the bundle's evaluation: activation time is module
// load plus the activate() call, as VS Code's own activation times count it (the extension host's
// wait for the ExtensionContext in between is not ours).
declare const __awsRolesLoadStart: number | undefined;
declare const __awsRolesLoadEnd: number | undefined;

/** Milliseconds since the bundle started loading, at named points of activate(), for the benchmark's breakdown. */
export class ActivationTimer {
  private readonly moduleMs = typeof __awsRolesLoadStart === 'number' && typeof __awsRolesLoadEnd === 'number' ? __awsRolesLoadEnd - __awsRolesLoadStart : 0;
  private readonly start = performance.now();
  readonly marks: [string, number][] = [['module evaluated', this.moduleMs]];

  mark(label: string): void {
    this.marks.push([label, this.elapsedMs()]);
  }

  elapsedMs(): number {
    return this.moduleMs + performance.now() - this.start;
  }
}
