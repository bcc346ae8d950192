/** One line of `mpgkit doctor`: what was checked, how it went, and what to do. */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
}
