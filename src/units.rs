//! Money amounts and their units (元, 万元, 亿元). Amounts in different units are converted
//! exactly before they are added or compared; counts (件, 条, 次…) are plain numbers.

use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;

/// A currency unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
pub enum MoneyUnit {
    /// 元
    Yuan,
    /// 万元 (10,000 元)
    WanYuan,
    /// 亿元 (100,000,000 元)
    YiYuan,
}

impl MoneyUnit {
    /// How many 元 one unit is.
    pub fn factor(self) -> Decimal {
        match self {
            MoneyUnit::Yuan => Decimal::ONE,
            MoneyUnit::WanYuan => Decimal::from(10_000),
            MoneyUnit::YiYuan => Decimal::from(100_000_000),
        }
    }

    /// The most decimals an amount in this unit is written with: to the 分 in 元, to the 元
    /// in 万元 and 亿元 (`4166.241619` 万元 is written to a hundredth of a 分's worth of
    /// precision no report states).
    pub fn max_decimals(self) -> u32 {
        match self {
            MoneyUnit::Yuan => 2,
            MoneyUnit::WanYuan => 4,
            MoneyUnit::YiYuan => 8,
        }
    }

    /// Reads `元`, `万元`, `亿元` (also Traditional, with surrounding noise).
    pub fn parse(s: &str) -> Option<MoneyUnit> {
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '（' | '）'))
            .collect();
        match t.as_str() {
            "元" => Some(MoneyUnit::Yuan),
            "万元" | "萬元" => Some(MoneyUnit::WanYuan),
            "亿元" | "億元" => Some(MoneyUnit::YiYuan),
            _ => None,
        }
    }

    /// The unit as written.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::WanYuan => "万元",
            MoneyUnit::YiYuan => "亿元",
        }
    }

    /// Splits a trailing money unit off a cell text: `251000元` -> (`251000`, 元).
    pub fn split_suffix(s: &str) -> (&str, Option<MoneyUnit>) {
        let t = s.trim_end();
        for (suffix, unit) in [
            ("万元", MoneyUnit::WanYuan),
            ("萬元", MoneyUnit::WanYuan),
            ("亿元", MoneyUnit::YiYuan),
            ("億元", MoneyUnit::YiYuan),
            ("元", MoneyUnit::Yuan),
        ] {
            if let Some(body) = t.strip_suffix(suffix) {
                return (body, Some(unit));
            }
        }
        (s, None)
    }
}

/// An amount of money in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Money {
    /// The amount, in `unit`.
    pub amount: Decimal,
    /// The unit.
    pub unit: MoneyUnit,
}

impl Money {
    /// The amount converted to `unit` (exact).
    pub fn in_unit(self, unit: MoneyUnit) -> Option<Decimal> {
        self.amount
            .checked_mul(self.unit.factor())?
            .checked_div(unit.factor())
    }

    /// Both amounts in the smaller of the two units, for exact arithmetic and comparison.
    pub fn common(a: Money, b: Money) -> Option<(Decimal, Decimal, MoneyUnit)> {
        let unit = a.unit.min(b.unit);
        Some((a.in_unit(unit)?, b.in_unit(unit)?, unit))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount.normalize(), self.unit.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_is_exact() {
        let a = Money {
            amount: Decimal::new(5, 1),
            unit: MoneyUnit::WanYuan,
        };
        let b = Money {
            amount: Decimal::from(5000),
            unit: MoneyUnit::Yuan,
        };
        let (x, y, u) = Money::common(a, b).unwrap();
        assert_eq!(
            (x, y, u),
            (Decimal::from(5000), Decimal::from(5000), MoneyUnit::Yuan)
        );
        assert_eq!(
            MoneyUnit::split_suffix("251000元"),
            ("251000", Some(MoneyUnit::Yuan))
        );
        assert_eq!(MoneyUnit::parse("萬元"), Some(MoneyUnit::WanYuan));
        assert_eq!(a.to_string(), "0.5万元");
    }
}
